import * as fs from 'fs';
import * as path from 'path';
import { AiRange } from '../core/contribution/mapRanges';
import { restoreEntry } from '../core/persistence/entries';
import { PersistedState, parseState } from '../core/persistence/schema';
import { STATE_FILE, StateDir } from '../core/persistence/stateDir';
import { OriginTable } from '../core/provenance/originTable';
import { isAiKind } from '../core/provenance/origin';
import { repoStateDir } from '../core/persistence/repo';

const SILENT = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * AI ranges from the saved provenance (`<git dir>/ai-provenance/state.json`, written by the
 * extension and by `ai-provenance checkpoint`), for a text git is about to commit: what the
 * commit hooks use when the extension has not described that content in its snapshot (VS Code
 * closed, or a terminal agent wrote the file after the editor last looked). Read-only: the
 * state file is never changed here. The ranges are restored exactly as the extension restores a
 * file it opens (`restoreEntry`: exact for the same text, re-anchored on the kept old text
 * otherwise); only AI kinds are returned.
 */
export class StateRanges {
  private constructor(
    private readonly state: PersistedState | undefined,
    private readonly dir: string,
    /** Why the state could not be read (undefined when absent or read). */
    readonly problem?: string,
  ) {}

  static read(gitDir: string): StateRanges {
    const dir = repoStateDir({ gitDir });
    let raw: string;
    try {
      raw = fs.readFileSync(path.join(dir, STATE_FILE), 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return new StateRanges(undefined, dir, code === 'ENOENT' ? undefined : `cannot read ${STATE_FILE}: ${(e as Error).message}`);
    }
    try {
      return new StateRanges(parseState(raw).state, dir);
    } catch (e) {
      return new StateRanges(undefined, dir, `${STATE_FILE} is unusable: ${(e as Error).message}`);
    }
  }

  /** True when the saved provenance has AI text for `repoPath`. */
  has(repoPath: string): boolean {
    const entry = this.state?.files[repoPath];
    return !!entry && entry.runs.some((r) => isAiKind(this.state!.origins[r.origin - 1]?.kind));
  }

  /** AI ranges of `repoPath` placed in `text`. */
  rangesFor(repoPath: string, text: string): AiRange[] {
    if (!this.state || !this.has(repoPath)) return [];
    const table = new OriginTable();
    const restored = restoreEntry({
      entry: this.state.files[repoPath],
      stateOrigins: this.state.origins,
      text,
      intern: (o) => table.intern(o),
      oldText: (hash) => this.oldText(hash),
    });
    const out: AiRange[] = [];
    for (const r of restored.runs) {
      const origin = table.get(r.origin);
      if (!origin || !isAiKind(origin.kind) || r.length <= 0) continue;
      out.push({ start: r.start, end: r.start + r.length, origin, text: r.text });
    }
    return out;
  }

  private oldText(hash: string): string | undefined {
    // Reading a kept text only; StateDir writes nothing for it.
    return new StateDir(this.dir, SILENT, 'hook').readText(hash);
  }
}
