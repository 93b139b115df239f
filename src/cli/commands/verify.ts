/** `ai-provenance verify <rev-range>`: the CI gate. */
import { POLICY_FILE, formatPolicyErrors, parsePolicy, parseRepositoryPolicy } from '../../core/policy/policy';
import { CommitReport, VerifyReport } from '../../governance/findings';
import { renderGithub } from '../../governance/format/github';
import { toSarif } from '../../governance/format/sarif';
import { plainText } from '../../governance/format/plainText';
import { renderTable } from '../../governance/format/table';
import { trailersForManifest } from '../../core/trailers/trailers';
import { VerifyOptions, verifyRange } from '../../governance/verify';
import { bool, list, parseArgs, str } from '../args';
import { repoHelp, REPO_OPTIONS, emit, openRepo, readJsonFile, requireRange, withGit, withGitAsync } from '../common';
import { withoutBom } from '../../core/json/jsonValue';
import { CliIo, EXIT_OK, EXIT_VIOLATION, UsageError } from '../io';
import { VERSION } from '../../version';

export const help = `Usage: ai-provenance verify <rev-range> [options]

Checks every commit of <rev-range> (git rev-list syntax, e.g. origin/main..HEAD):
  - its provenance manifest (.ai-provenance/<id>.json in the commit, or the commit's note)
    is valid and matches the committed content: SHA-256 of each file and of each AI range;
  - what git can prove is recomputed: added lines and characters per file (git's diff), why a
    file was not analysed (binary, too-large, symlink, submodule, not-utf8: from the blob),
    that every changed file is listed and that trivial ranges are of a trivial kind;
  - every other manifest of the commit (a note, other committed manifests) agrees with it;
  - a commit that adds the committed manifests of other commits (a squash merge of a pull
    request) is checked against the one claim they make together: their AI lines found in its
    text by their hashes, measured against its parent (lines they cannot prove are unknown);
  - its trailers (AI-Assisted, AI-Contribution, Assisted-by, AI-Provenance, Review-Required)
    match the manifest;
  - the policy is met: a flagged change carries a review trailer (Reviewed-by) from someone
    the policy lists for the required level, by e-mail or group (the author does not count);
  - with --require-declaration, or when the policy says "declaration": {"required": true},
    every commit declares AI-Assisted (a merge only when it adds lines none of its parents has).

Options:
  --format <f>              table (default), json, sarif (SARIF 2.1.0) or github (annotations)
  --json                    Same as --format json
  -o, --output <file>       Write the report to a file instead of stdout
  --policy <file>           Use this policy file for every commit (default: ${POLICY_FILE} at each commit)
  --policy-rev <rev>        Use ${POLICY_FILE} as of <rev> (e.g. origin/main) for every commit
  --require-declaration     Fail commits that carry no AI-Assisted trailer, whatever the policy says
  --review-trailer <key>    Trailer that records a review (repeatable; default Reviewed-by)
  --groups <file>           JSON {"<group>": ["e-mail", ...]} to match reviewers to policy groups
  --groups-rev <rev>        Read the --groups file as of <rev> (e.g. origin/main), not from the work tree
  --allow-self-review       Let a commit's author count as its reviewer
  --warnings-as-errors      Fail on warnings too (e.g. a manifest measured against another parent)
${repoHelp(28)}
  -h, --help                Show this help

Exit codes: 0 all commits pass, 1 a check failed, 2 usage or repository error.
`;

const SPEC = {
  ...REPO_OPTIONS,
  format: { type: 'string', choices: ['table', 'json', 'sarif', 'github'] },
  json: { type: 'boolean' },
  output: { type: 'string', alias: 'o' },
  policy: { type: 'string' },
  'policy-rev': { type: 'string' },
  'require-declaration': { type: 'boolean' },
  'review-trailer': { type: 'string', multiple: true },
  groups: { type: 'string' },
  'groups-rev': { type: 'string' },
  'allow-self-review': { type: 'boolean' },
  'warnings-as-errors': { type: 'boolean' },
} as const;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, SPEC);
  const range = requireRange(args, 'verify');
  const format = bool(args, 'json') ? 'json' : (str(args, 'format') ?? 'table');
  const repo = openRepo(args, io);

  let policy: VerifyOptions['policy'];
  const policyFile = str(args, 'policy');
  const policyRev = str(args, 'policy-rev');
  if (policyFile && policyRev) throw new UsageError('use either --policy or --policy-rev, not both');
  if (policyFile) {
    const parsed = parsePolicy(readJsonFile(io, policyFile, 'policy file'), { partial: true });
    if (!parsed.ok) throw new UsageError(`invalid policy:\n${formatPolicyErrors(policyFile, parsed.errors)}`);
    policy = { source: policyFile, layer: parsed.value };
  } else if (policyRev) {
    const blob = withGit(() => repo.blob(repo.resolveCommit(policyRev), POLICY_FILE));
    const source = `${POLICY_FILE} at ${policyRev}`;
    if (!blob) policy = { source: `${source} (absent: defaults)`, layer: {} };
    else {
      const parsed = parseRepositoryPolicy(blob.toString('utf8'));
      if (!parsed.ok) throw new UsageError(`invalid policy:\n${formatPolicyErrors(source, parsed.errors)}`);
      policy = { source, layer: parsed.value };
    }
  }

  let groups: Record<string, string[]> | undefined;
  const groupsFile = str(args, 'groups');
  const groupsRev = str(args, 'groups-rev');
  if (groupsRev && !groupsFile) throw new UsageError('--groups-rev <rev> needs --groups <path>: the path of the groups file in that revision');
  if (groupsFile) {
    let g: unknown;
    if (groupsRev) {
      // From the base branch, as the policy with --policy-rev: a pull request cannot add its own reviewer to a group.
      const blob = withGit(() => repo.blob(repo.resolveCommit(groupsRev), groupsFile.replace(/^\.\//, '')));
      if (!blob) throw new UsageError(`groups file ${groupsFile} does not exist at ${groupsRev}`);
      try {
        g = JSON.parse(withoutBom(blob.toString('utf8')));
      } catch (e) {
        throw new UsageError(`groups file ${groupsFile} at ${groupsRev} is not valid JSON: ${(e as Error).message}`);
      }
    } else g = readJsonFile(io, groupsFile, 'groups file');
    if (!g || typeof g !== 'object' || Array.isArray(g) || !Object.values(g).every((v) => Array.isArray(v) && v.every((e) => typeof e === 'string'))) {
      throw new UsageError(`groups file ${groupsFile} must be a JSON object mapping group names to arrays of e-mails`);
    }
    groups = g as Record<string, string[]>;
  }

  const report = await withGitAsync(() =>
    verifyRange(repo, range, {
      notesRef: str(args, 'notes-ref'),
      policy,
      requireDeclaration: bool(args, 'require-declaration'),
      reviewTrailers: list(args, 'review-trailer'),
      groups,
      allowSelfReview: bool(args, 'allow-self-review'),
      expectedTrailers: trailersForManifest,
    }),
  );

  switch (format) {
    case 'json':
      emit(args, io, JSON.stringify(report, null, 2) + '\n');
      break;
    case 'sarif':
      emit(args, io, JSON.stringify(toSarif(report, VERSION), null, 2) + '\n');
      break;
    case 'github':
      emit(args, io, renderGithub(report));
      break;
    default:
      emit(args, io, renderVerifyTable(report));
  }
  const failed = report.summary.errors > 0 || (bool(args, 'warnings-as-errors') && report.summary.warnings > 0);
  return failed ? EXIT_VIOLATION : EXIT_OK;
}

function statusLabel(c: CommitReport): string {
  if (c.status === 'fail') return 'FAIL';
  if (c.status === 'skip') return 'undeclared';
  return c.findings.length ? 'ok (warnings)' : 'ok';
}

export function renderVerifyTable(report: VerifyReport): string {
  if (report.commits.length === 0) return `No commits in ${plainText(report.range)}.\n`;
  const rows = report.commits.map((c) => [
    c.sha.slice(0, 12),
    statusLabel(c),
    c.aiAssisted ?? '-',
    c.contribution ?? '-',
    c.reviewRequired ?? '-',
    c.subject,
  ]);
  let out = renderTable(
    [
      { header: 'COMMIT' },
      { header: 'STATUS' },
      { header: 'AI' },
      { header: 'AI-CONTRIBUTION', max: 60 },
      { header: 'REVIEW' },
      { header: 'SUBJECT', max: 50 },
    ],
    rows,
  );
  const problems = report.commits.flatMap((c) => c.findings);
  if (problems.length) {
    out += '\n';
    for (const f of problems) {
      const where = f.file ? ` ${f.file}${f.line !== undefined ? `:${f.line}` : ''}` : '';
      // Messages about a file usually start with its path; the location already shows it.
      const message = f.file && f.message.startsWith(`${f.file}: `) ? f.message.slice(f.file.length + 2) : f.message;
      out += `${f.severity.toUpperCase()} ${f.commit.slice(0, 12)} [${f.rule}]${plainText(where)}: ${plainText(message)}\n`;
    }
  }
  const s = report.summary;
  out += `\n${s.commits} commit(s): ${s.passed} passed, ${s.failed} failed, ${s.skipped} undeclared; ${s.errors} error(s), ${s.warnings} warning(s). Policy: ${plainText(report.policySource)}.\n`;
  return out;
}
