import * as fs from 'fs';
import * as path from 'path';

/**
 * Crash-safe file replacement: the data goes to a temporary file in the same directory, is flushed
 * to disk (fsync), and only then renamed over the target. A crash at any point leaves either the
 * old file or the new one, never a torn mix. Leftover temporary files are ignored by readers and
 * removed by `removeStaleTempFiles`.
 */

export interface AtomicWriteHooks {
  /** Test hook: runs after the temporary file is written and synced, before the rename. */
  readonly beforeRename?: (tempPath: string) => void;
  /**
   * False for a file of use only until the current operation ends (the commit hooks' notes to
   * each other): still written whole and renamed into place, but not flushed to disk, which
   * would cost each commit two fsyncs.
   */
  readonly durable?: boolean;
}

let counter = 0;

function tempName(file: string): string {
  counter = (counter + 1) % 1e6;
  return `${file}.tmp-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

function syncDir(dir: string): void {
  // Makes the rename itself durable where the platform allows it; best effort.
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* not supported (e.g. Windows) */
  }
}

export function writeFileAtomicSync(file: string, data: string | Uint8Array, hooks: AtomicWriteHooks = {}): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = tempName(file);
  try {
    const fd = fs.openSync(tmp, 'w', 0o644);
    try {
      fs.writeFileSync(fd, data);
      if (hooks.durable !== false) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    hooks.beforeRename?.(tmp);
    fs.renameSync(tmp, file);
  } catch (e) {
    try {
      fs.unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw e;
  }
  if (hooks.durable !== false) syncDir(dir);
}

export async function writeFileAtomic(file: string, data: string | Uint8Array, hooks: AtomicWriteHooks = {}): Promise<void> {
  const dir = path.dirname(file);
  await fs.promises.mkdir(dir, { recursive: true });
  const tmp = tempName(file);
  try {
    const handle = await fs.promises.open(tmp, 'w', 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    hooks.beforeRename?.(tmp);
    await fs.promises.rename(tmp, file);
  } catch (e) {
    await fs.promises.unlink(tmp).catch(() => undefined);
    throw e;
  }
  syncDir(dir);
}

/** Removes `<file>.tmp-*` leftovers of interrupted writes older than `olderThanMs`. Returns their names. */
export function removeStaleTempFiles(file: string, olderThanMs = 60_000, now = Date.now()): string[] {
  const dir = path.dirname(file);
  const prefix = `${path.basename(file)}.tmp-`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const full = path.join(dir, name);
    try {
      if (now - fs.statSync(full).mtimeMs >= olderThanMs) {
        fs.unlinkSync(full);
        removed.push(name);
      }
    } catch {
      /* raced with another cleaner */
    }
  }
  return removed;
}
