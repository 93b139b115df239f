/**
 * An independent rendering of the trailer format documented for commits
 * (`AI-Contribution: 37% (52 of 140 added lines; inline 30, chat 22)` etc.), written from the
 * documentation rather than from the commit flow's code. `verify` itself uses the commit flow's
 * `trailersForManifest`; this copy exists so that tests can check that function against the
 * documented format (test/unit/core/trailers/trailers.test.ts).
 */
import { ORIGIN_KINDS } from '../../../src/core/provenance/origin';
import type { Manifest } from '../../../src/core/manifest/schema';
import { formatPercent } from '../../../src/core/policy/policy';

export function expectedTrailers(m: Manifest): Array<{ key: string; value: string }> {
  const t = m.totals;
  const out: Array<{ key: string; value: string }> = [{ key: 'AI-Assisted', value: m.flagged ? 'yes' : 'no' }];
  if (t.aiLines > 0) {
    const kinds = ORIGIN_KINDS.filter((k) => (t.byKind[k] ?? 0) > 0).map((k) => `${k} ${t.byKind[k]}`);
    out.push({ key: 'AI-Contribution', value: `${formatPercent(t.aiLines, t.addedLines)} (${t.aiLines} of ${t.addedLines} added lines; ${kinds.join(', ')})` });
    for (const tool of t.byTool) out.push({ key: 'Assisted-by', value: tool.model ? `${tool.tool}:${tool.model}` : tool.tool });
  }
  out.push({ key: 'AI-Provenance', value: m.id });
  if (m.reviewRequired) out.push({ key: 'Review-Required', value: m.reviewRequired });
  if (m.flagged && m.risk && m.risk.length) out.push({ key: 'AI-Risk', value: m.risk.map((r) => r.id).join(', ') });
  return out;
}
