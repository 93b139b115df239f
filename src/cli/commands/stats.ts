/** `ai-provenance stats <rev-range>`: AI share of added lines. */
import { GroupStats, StatsReport, collectStats } from '../../governance/stats';
import { plainText } from '../../governance/format/plainText';
import { percent, renderTable } from '../../governance/format/table';
import { bool, parseArgs, str } from '../args';
import { repoHelp, REPO_OPTIONS, emit, openRepo, requireRange, withGit, withGitAsync } from '../common';
import { CliIo, EXIT_OK, UsageError } from '../io';

export const help = `Usage: ai-provenance stats <rev-range> [options]

AI share of the lines added by the commits of <rev-range> (git rev-list syntax), in total and
per commit, author, tool/model, origin kind, file and day or week. Figures come from each
commit's manifest; a commit declaring AI-Assisted: no counts as human, any other commit without
a manifest as unknown; merge commits are not counted. JSON field names follow today's
\`git ai stats --json\` (human_additions, unknown_additions, ai_additions, ai_accepted,
git_diff_added_lines, git_diff_deleted_lines, tool_model_breakdown of {ai_additions,
ai_accepted} per tool::model); as in git-ai, ai_accepted equals ai_additions.
stats reports what commits claim; use \`verify\` to check the claims.

Options:
  --json                 JSON output
  --by <period>          Group periods by day (default) or week
  --since <date>         Only commits after <date> (git's date syntax, e.g. 2026-11-01 or "4 weeks ago")
  --until <date>         Only commits before <date>
  --top <n>              Rows per table section (default 20; JSON is never cut)
  -o, --output <file>    Write to a file instead of stdout
${repoHelp(25)}
  -h, --help             Show this help

Exit codes: 0 ok, 2 usage or repository error.
`;

const SPEC = {
  ...REPO_OPTIONS,
  json: { type: 'boolean' },
  by: { type: 'string', choices: ['day', 'week'] },
  since: { type: 'string' },
  until: { type: 'string' },
  top: { type: 'string' },
  output: { type: 'string', alias: 'o' },
} as const;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, SPEC);
  const range = requireRange(args, 'stats');
  const top = Number(str(args, 'top') ?? '20');
  if (!Number.isInteger(top) || top < 1) {
    throw new UsageError(`--top must be a positive whole number (got '${str(args, 'top')}')`);
  }
  const repo = openRepo(args, io);
  for (const opt of ['since', 'until'] as const) {
    const v = str(args, opt);
    if (v !== undefined && !withGit(() => repo.isDate(v))) throw new UsageError(`--${opt} '${plainText(v)}' is not a date (e.g. 2026-11-01 or "4 weeks ago")`);
  }
  const report = await withGitAsync(() =>
    collectStats(repo, range, { notesRef: str(args, 'notes-ref'), period: (str(args, 'by') as 'day' | 'week') ?? 'day', since: str(args, 'since'), until: str(args, 'until') }),
  );
  emit(args, io, bool(args, 'json') ? JSON.stringify(report, null, 2) + '\n' : renderStats(report, top));
  return EXIT_OK;
}

function share(g: { ai_additions: number; human_additions: number }): string {
  return percent(g.ai_additions, g.ai_additions + g.human_additions);
}

function groupTable(title: string, groups: GroupStats[], top: number): string {
  if (groups.length === 0) return '';
  const rows = groups.slice(0, top).map((g) => [g.key, String(g.commits), String(g.total_additions), String(g.ai_additions), String(g.human_additions), String(g.unknown_additions), share(g)]);
  const more = groups.length > top ? `(${groups.length - top} more)\n` : '';
  return `\n${title}\n` + renderTable(
    [
      { header: 'KEY', max: 60 },
      { header: 'COMMITS', align: 'right' },
      { header: 'ADDED', align: 'right' },
      { header: 'AI', align: 'right' },
      { header: 'HUMAN', align: 'right' },
      { header: 'UNKNOWN', align: 'right' },
      { header: 'AI SHARE', align: 'right' },
    ],
    rows,
  ) + more;
}

export function renderStats(r: StatsReport, top: number): string {
  let out = `AI share of added lines in ${plainText(r.range)}: ${share(r)} (${r.ai_additions} AI, ${r.human_additions} human, ${r.unknown_additions} unknown of ${r.total_additions} added; ${r.commits_counted} commit(s), ${r.merges_skipped} merge(s) not counted)\n`;
  const tools = Object.entries(r.tool_model_breakdown);
  if (tools.length) {
    out += '\nBy tool/model\n' + renderTable(
      [{ header: 'TOOL::MODEL', max: 60 }, { header: 'AI LINES', align: 'right' }, { header: 'OF AI', align: 'right' }],
      tools.slice(0, top).map(([k, v]) => [k, String(v.ai_additions), percent(v.ai_additions, r.ai_additions)]),
    );
  }
  const kinds = Object.entries(r.kind_breakdown);
  if (kinds.length) {
    out += '\nBy origin kind\n' + renderTable(
      [{ header: 'KIND' }, { header: 'AI LINES', align: 'right' }, { header: 'OF AI', align: 'right' }],
      kinds.map(([k, n]) => [k, String(n), percent(n, r.ai_additions)]),
    );
  }
  const counted = r.commits.filter((c) => c.basis !== 'merge');
  if (counted.length) {
    const rows = counted.slice(-top).map((c) => [c.sha.slice(0, 12), c.date.slice(0, 10), c.author, c.basis, String(c.total_additions), String(c.ai_additions), share(c), c.subject]);
    out += `\nBy commit${counted.length > top ? ` (last ${top})` : ''}\n` + renderTable(
      [
        { header: 'COMMIT' },
        { header: 'DATE' },
        { header: 'AUTHOR', max: 24 },
        { header: 'BASIS' },
        { header: 'ADDED', align: 'right' },
        { header: 'AI', align: 'right' },
        { header: 'AI SHARE', align: 'right' },
        { header: 'SUBJECT', max: 40 },
      ],
      rows,
    );
  }
  out += groupTable('By author', r.authors, top);
  out += groupTable(`By ${r.period}`, r.periods, top);
  out += groupTable('By file', r.files, top);
  return out;
}
