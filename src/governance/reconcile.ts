/**
 * A commit can carry more than one manifest: the one its `AI-Provenance` trailer names, a note
 * besides a committed file, other `.ai-provenance/*.json` files the commit adds. None of them is
 * ignored. Every manifest that describes the commit must make the same claims as the one the
 * trailer names; one that disagrees fails the commit, so a second, flagged manifest (or a note
 * saying something else) cannot be hidden behind a harmless one.
 *
 * Takes the list of every manifest found for the commit, so that readers that combine several
 * manifests (squash merges) can reuse the same rule.
 */
import { Manifest, ManifestError, parseManifest } from '../core/manifest/schema';
import { AddFinding } from './contentClaims';

export interface FoundManifest {
  /** `file:<path>` or `note:<ref>`. */
  readonly source: string;
  readonly text: string;
}

/** The claims of a manifest that two manifests of one commit must agree on (not its id, time or generator). */
export function claimsOf(m: Manifest): string {
  return JSON.stringify({
    flagged: m.flagged,
    reviewRequired: m.reviewRequired ?? null,
    files: [...m.files]
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      .map((f) => [f.path, f.oldPath ?? null, f.status, f.sha256 ?? null, f.skipped ?? null, f.addedLines, f.aiLines, f.nonTrivialAiLines, f.addedCharacters, f.aiCharacters, f.ranges.map((r) => [r.startLine, r.endLine, r.kind, r.tool, r.model ?? null, r.trivial, r.sha256])]),
  });
}

/** What differs between two manifests' claims, in a few words. */
function difference(a: Manifest, b: Manifest): string {
  if (a.flagged !== b.flagged) return `one flags the change, the other does not`;
  if ((a.reviewRequired ?? '') !== (b.reviewRequired ?? '')) return `they require different reviews ('${a.reviewRequired ?? 'none'}' and '${b.reviewRequired ?? 'none'}')`;
  if (a.totals.aiLines !== b.totals.aiLines || a.totals.addedLines !== b.totals.addedLines) {
    return `${a.totals.aiLines} of ${a.totals.addedLines} added lines are AI in one, ${b.totals.aiLines} of ${b.totals.addedLines} in the other`;
  }
  return 'their files or ranges differ';
}

/**
 * Checks every other manifest of a commit against the primary one (the one the trailer names).
 * `describesCommit(m)` says whether a manifest's claims all hold for this commit (content,
 * counts, listed files): a committed manifest that does not (one staged for an earlier attempt
 * and left in the commit) is only reported as a warning; a note is attached to this very commit,
 * so it must agree whatever it says.
 */
export function reconcileManifests(
  primary: { readonly source: string; readonly manifest: Manifest } | undefined,
  others: readonly FoundManifest[],
  describesCommit: (m: Manifest) => boolean,
  add: AddFinding,
): void {
  const want = primary ? claimsOf(primary.manifest) : undefined;
  for (const o of others) {
    const file = o.source.startsWith('file:') ? o.source.slice('file:'.length) : undefined;
    const at = file ? { file } : {};
    const parsed = parseManifest(o.text);
    if (!parsed.ok) {
      add('manifest-invalid', `another manifest of the commit (${o.source}) is invalid: ${summarize(parsed.errors)}`, at);
      continue;
    }
    const m = parsed.value;
    const isNote = o.source.startsWith('note:');
    if (!isNote && !describesCommit(m)) {
      add('manifest-mismatch', `${o.source.slice('file:'.length)} is a manifest the commit adds but it does not describe this commit (not checked further)`, { ...at, severity: 'warning' });
      continue;
    }
    if (!primary) {
      add('manifest-conflict', `the commit adds a manifest that describes it (${o.source}) but its trailers name no manifest`, at);
      continue;
    }
    if (claimsOf(m) !== want) {
      add('manifest-conflict', `the commit has two manifests that disagree: ${primary.source} and ${o.source} (${difference(primary.manifest, m)})`, at);
    }
  }
}

function summarize(errors: readonly ManifestError[]): string {
  const shown = errors.slice(0, 3).map((e) => (e.path ? `${e.path}: ${e.message}` : e.message));
  return shown.join('; ') + (errors.length > 3 ? ` (and ${errors.length - 3} more)` : '');
}
