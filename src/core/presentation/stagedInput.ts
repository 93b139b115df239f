/**
 * Turns the commit flow's view of the staged change (its files as the manifest will list them,
 * the policy's decision and the trailers) into the report's StagedInput. Pure.
 */
import { ManifestFile } from '../manifest/schema';
import { PolicyDecision } from '../policy/policy';
import { formatHitLines } from '../policy/riskRules';
import { toolLabel } from '../provenance/origin';
import { Trailer, formatTrailer } from '../trailers/trailers';
import { StagedInput } from './reportModel';

export interface StagedReportFacts {
  readonly change: { readonly files: readonly ManifestFile[]; readonly notes: readonly string[] };
  readonly decision: PolicyDecision;
  readonly trailers: readonly Trailer[];
  /** The manifest the commit will carry, when any added line is AI. */
  readonly manifest?: { readonly id: string };
}

/** AI lines per tool label, from a file's AI line ranges (each range is one tool's lines). */
export function toolLines(file: Pick<ManifestFile, 'ranges'>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of file.ranges) {
    const label = toolLabel(r);
    out[label] = (out[label] ?? 0) + (r.endLine - r.startLine + 1);
  }
  return out;
}

export function stagedInputFrom(facts: StagedReportFacts): StagedInput {
  const notes: string[] = [];
  const d = facts.decision;
  const hasAi = facts.change.files.some((f) => f.aiLines > 0);
  if (d.flagged) {
    notes.push(`Flagged as AI-assisted: ${d.reasons.join('; ')}.`);
    if (d.reviewRequired) notes.push(`Review required: ${d.reviewRequired}.`);
    for (const h of d.risk ?? []) {
      const where = [formatHitLines(h), ...(h.dependencyFiles?.length ? [`dependency files ${h.dependencyFiles.join(', ')}`] : []), ...(h.untested ? ['no test file changed'] : [])];
      notes.push(`Risk rule ${h.id} (${h.level}) fired on ${where.filter(Boolean).join('; ')}: ${h.reason}${h.links.length ? ` (${h.links.join(', ')})` : ''}${h.note ? `; ${h.note}` : ''}.`);
    }
  } else if (hasAi) {
    notes.push('Not flagged: the AI lines are below the policy thresholds (or trivial).');
  }
  if (facts.manifest) notes.push(`Manifest ${facts.manifest.id} will be committed with the change.`);
  notes.push(...facts.change.notes);
  return {
    files: facts.change.files
      .filter((f) => !f.skipped)
      .map((f) => ({ path: f.path, aiLines: f.aiLines, lines: f.addedLines, tools: toolLines(f) })),
    trailers: facts.trailers.map(formatTrailer),
    notes,
  };
}
