import { EarlierVersion } from './recall';

/**
 * The earlier versions of each file's text on disk, newest first, for `recall`: bounded per file
 * in number and in characters, and in characters over all files (the files touched least recently
 * are forgotten first); one entry per distinct text (a text seen again moves to the front with its
 * newest marks). A file's history starts with a version that has AI marks (`isAi`); once it has
 * one, versions without are kept too, since their unmarked text is the person's and keeps older
 * AI marks from coming back onto it. Pure: no I/O, no `vscode`.
 */
export class VersionHistory {
  private readonly byKey = new Map<string, EarlierVersion[]>();
  private readonly charsOf = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly isAi: (origin: number) => boolean,
    private readonly maxVersions = 4,
    private readonly maxChars = 4_000_000,
    private readonly maxTotalChars = 32_000_000,
  ) {}

  /** Records `version` as the newest earlier text of `key`. */
  push(key: string, version: EarlierVersion): void {
    const before = this.byKey.get(key);
    if (version.text.length > this.maxChars) return;
    if (!before && !version.runs.some((r) => this.isAi(r.origin))) return;
    const list = (before ?? []).filter((v) => v.text !== version.text);
    list.unshift(version);
    let chars = 0;
    let n = 0;
    while (n < list.length && n < this.maxVersions && chars + list[n].text.length <= this.maxChars) chars += list[n++].text.length;
    list.length = n;
    this.delete(key); // re-inserted last: the most recently touched
    this.byKey.set(key, list);
    this.charsOf.set(key, chars);
    this.total += chars;
    for (const oldest of this.byKey.keys()) {
      if (this.total <= this.maxTotalChars || oldest === key) break;
      this.delete(oldest);
    }
  }

  /** The earlier versions of `key`, newest first. */
  get(key: string): readonly EarlierVersion[] {
    return this.byKey.get(key) ?? [];
  }

  /** Forgets `key` (no longer tracked). */
  delete(key: string): void {
    this.total -= this.charsOf.get(key) ?? 0;
    this.byKey.delete(key);
    this.charsOf.delete(key);
  }

  /** Follows a rename. */
  rename(from: string, to: string): void {
    const list = this.byKey.get(from);
    if (!list) return;
    const chars = this.charsOf.get(from) ?? 0;
    this.delete(from);
    this.delete(to);
    this.byKey.set(to, list);
    this.charsOf.set(to, chars);
    this.total += chars;
  }
}
