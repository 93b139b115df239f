import { formatPercent } from '../core/policy/policy';

/** One repository's staged change, as the status bar tooltip tells it. */
export interface StagedShare {
  /** The repository's folder name. */
  readonly name: string;
  readonly files: readonly { readonly aiLines: number; readonly addedLines: number }[];
  readonly flagged: boolean;
}

/**
 * Status bar tooltip lines: the AI share of each repository's staged change (named when there are
 * several repositories); undefined when nothing is staged anywhere. Pure.
 */
export function stagedTooltipLines(repos: readonly StagedShare[], named: boolean): string[] | undefined {
  const lines: string[] = [];
  for (const r of repos) {
    if (!r.files.length) continue;
    const totals = r.files.reduce((a, x) => ({ ai: a.ai + x.aiLines, added: a.added + x.addedLines }), { ai: 0, added: 0 });
    const name = named ? ` (${r.name})` : '';
    lines.push(`Staged${name}: ${formatPercent(totals.ai, totals.added)} AI (${totals.ai} of ${totals.added} added lines)${r.flagged ? ' \u2014 AI-assisted' : ''}`);
  }
  return lines.length ? lines : undefined;
}
