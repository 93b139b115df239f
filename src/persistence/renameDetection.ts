import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { VanishedFile, parseRenames, renameLayout, renamedFrom } from '../core/persistence/renames';
import { runGit, splitNul } from '../git/git';

/**
 * Asks git whether the file that appeared (`addedRel`, with `addedText`) is a rename of one of the
 * `vanished` files: their texts go into a temporary folder and git's own rename detection
 * (`git diff --no-index --find-renames`, git's default similarity threshold) decides. Resolves to
 * the index of that file, or undefined (no pair, or git could not run). The folder is removed.
 */
export async function findRenameSource(vanished: readonly VanishedFile[], addedRel: string, addedText: string): Promise<number | undefined> {
  if (vanished.length === 0) return undefined;
  const layout = renameLayout(vanished, addedRel);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-provenance-rename-'));
  try {
    const write = (rel: string, text: string) => {
      const file = path.join(dir, ...rel.split('/'));
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    };
    vanished.forEach((v, n) => write(layout.old[n], v.text));
    write(layout.added, addedText);
    const r = await runGit(['-c', 'core.quotePath=false', 'diff', '--no-index', '--no-ext-diff', '--find-renames', '--name-status', '-z', '--', 'old', 'new'], {
      cwd: dir,
      okCodes: [0, 1],
      timeout: 15_000,
    });
    return renamedFrom(parseRenames(splitNul(r.stdout.toString('utf8'))), layout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
