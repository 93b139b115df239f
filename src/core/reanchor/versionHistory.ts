import { EarlierVersion } from './recall';

/**
 * The earlier versions of each open file's text that carried marks, newest first, for `recall`:
 * bounded per file in number and in characters, one entry per distinct text (a text seen again
 * moves to the front with its newest marks). Versions without marks are not kept (nothing to
 * recall from them). Pure: no I/O, no `vscode`.
 */
export class VersionHistory {
  private readonly byKey = new Map<string, EarlierVersion[]>();

  constructor(
    private readonly maxVersions = 4,
    private readonly maxChars = 4_000_000,
  ) {}

  /** Records `version` as the newest earlier text of `key`. */
  push(key: string, version: EarlierVersion): void {
    if (version.runs.length === 0 || version.text.length > this.maxChars) return;
    const list = (this.byKey.get(key) ?? []).filter((v) => v.text !== version.text);
    list.unshift(version);
    let chars = 0;
    let n = 0;
    while (n < list.length && n < this.maxVersions && chars + list[n].text.length <= this.maxChars) chars += list[n++].text.length;
    list.length = n;
    this.byKey.set(key, list);
  }

  /** The earlier versions of `key`, newest first. */
  get(key: string): readonly EarlierVersion[] {
    return this.byKey.get(key) ?? [];
  }

  /** Forgets `key` (closed, or no longer tracked). */
  delete(key: string): void {
    this.byKey.delete(key);
  }

  /** Follows a rename. */
  rename(from: string, to: string): void {
    const list = this.byKey.get(from);
    if (!list) return;
    this.byKey.delete(from);
    this.byKey.set(to, list);
  }
}
