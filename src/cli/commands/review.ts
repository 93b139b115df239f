/** `ai-provenance review <base>..<head>`: the pull-request gate. */
import { MANIFEST_NOTES_REF, Manifest } from '../../core/manifest/schema';
import { POLICY_FILE, formatPolicyErrors, parsePolicy, parseRepositoryPolicy, resolvePolicy } from '../../core/policy/policy';
import { forEachCommitProvenance } from '../../governance/commitProvenance';
import { VerifyOptions, verifyRange } from '../../governance/verify';
import { trailersForManifest } from '../../core/trailers/trailers';
import { judgeApprovals, parsePlatformReviews } from '../../governance/review/approvals';
import { decideGate } from '../../governance/review/gate';
import { renderSummary } from '../../governance/review/summary';
import { bool, parseArgs, str } from '../args';
import { REPO_OPTIONS, emit, openRepo, readJsonFile, repoHelp, requireRange, withGit, withGitAsync } from '../common';
import { CliIo, EXIT_OK, EXIT_VIOLATION, UsageError } from '../io';
import * as fs from 'fs';
import * as path from 'path';

export const help = `Usage: ai-provenance review <base>..<head> [options]

The pull-request gate. Checks the commits of the range as verify does, under the policy of the
base (so a pull request cannot weaken it for itself), and decides whether the pull request has
the review its AI changes need:
  - the required level is the highest any commit needs (threshold and risk rules);
  - a commit's review is met by its Reviewed-by trailers, or by a platform approval from a
    reviewer of that level or a higher one (review.reviewers.<level>.logins, or a member of its
    teams/groups through --groups);
  - approvals by the author, and approvals given before the last push, do not count.
Prints a Markdown summary (for a pull-request comment or a job summary).

Options:
  --approvals <file>        JSON printed by \`gh pr view <n> --json reviews,latestReviews,author,commits\`
                            or by the GitLab approvals API (GET .../merge_requests/:iid/approvals)
  --author <login>          The pull request's author (when the JSON does not name it, e.g. GitLab)
  --policy <file>           Use this policy file
  --policy-rev <rev>        Use ${POLICY_FILE} as of <rev> (default: <base>)
  --groups <file>           JSON {"<group or team>": ["login or e-mail", ...]}
  --format <f>              markdown (default) or json
  --json                    Same as --format json
  -o, --output <file>       Write the summary to a file instead of stdout
  --reviewers-out <file>    Write the reviewers to request, comma-separated (users, then org/team),
                            ready for \`gh pr edit <n> --add-reviewer "$(cat <file>)"\`
${repoHelp(28)}
  -h, --help                Show this help

Exit codes: 0 ready, 1 blocked (review missing or a verify error), 2 usage or repository error.
`;

const SPEC = {
  ...REPO_OPTIONS,
  approvals: { type: 'string' },
  author: { type: 'string' },
  policy: { type: 'string' },
  'policy-rev': { type: 'string' },
  groups: { type: 'string' },
  format: { type: 'string', choices: ['markdown', 'json'] },
  json: { type: 'boolean' },
  output: { type: 'string', alias: 'o' },
  'reviewers-out': { type: 'string' },
} as const;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, SPEC);
  const range = requireRange(args, 'review');
  const parts = range.length === 1 && !range[0].includes('...') ? range[0].split('..') : [];
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new UsageError(`expected one range <base>..<head> (e.g. origin/main..HEAD), got '${range.join(' ')}'`);
  }
  const [baseRev, headRev] = parts;
  const repo = openRepo(args, io);
  const head = withGit(() => repo.resolveCommit(headRev));
  withGit(() => repo.resolveCommit(baseRev));

  // The policy: a file, or the base's (default).
  let layer;
  let source: string;
  const policyFile = str(args, 'policy');
  if (policyFile && str(args, 'policy-rev')) throw new UsageError('use either --policy or --policy-rev, not both');
  if (policyFile) {
    const parsed = parsePolicy(readJsonFile(io, policyFile, 'policy file'), { partial: true });
    if (!parsed.ok) throw new UsageError(`invalid policy:\n${formatPolicyErrors(policyFile, parsed.errors)}`);
    layer = parsed.value;
    source = policyFile;
  } else {
    const rev = str(args, 'policy-rev') ?? baseRev;
    const blob = withGit(() => repo.blob(repo.resolveCommit(rev), POLICY_FILE));
    source = `${POLICY_FILE} at ${rev}`;
    if (!blob) {
      layer = {};
      source += ' (absent: defaults)';
    } else {
      const parsed = parseRepositoryPolicy(blob.toString('utf8'));
      if (!parsed.ok) throw new UsageError(`invalid policy:\n${formatPolicyErrors(source, parsed.errors)}`);
      layer = parsed.value;
    }
  }
  const policy = resolvePolicy(layer);

  let groups: Record<string, string[]> | undefined;
  const groupsFile = str(args, 'groups');
  if (groupsFile) {
    const g = readJsonFile(io, groupsFile, 'groups file');
    if (!g || typeof g !== 'object' || Array.isArray(g) || !Object.values(g).every((v) => Array.isArray(v) && v.every((e) => typeof e === 'string'))) {
      throw new UsageError(`groups file ${groupsFile} must be a JSON object mapping group names to arrays of logins or e-mails`);
    }
    groups = g as Record<string, string[]>;
  }

  const notesRef = str(args, 'notes-ref') ?? MANIFEST_NOTES_REF;
  const options: VerifyOptions = {
    notesRef,
    policy: { source, layer },
    groups: groups && Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, v.filter((m) => m.includes('@') && !m.startsWith('@'))])),
    expectedTrailers: trailersForManifest,
  };
  const report = await withGitAsync(() => verifyRange(repo, range, options));
  const manifests: { sha: string; manifest: Manifest }[] = [];
  await withGitAsync(() =>
    forEachCommitProvenance(repo, report.commits.map((c) => c.sha), notesRef, {}, (p) => {
      if (p.manifest) manifests.push({ sha: p.info.sha, manifest: p.manifest });
    }),
  );

  // Platform approvals.
  const approvalsFile = str(args, 'approvals');
  let approvals: ReturnType<typeof judgeApprovals> = [];
  let author = str(args, 'author');
  const notes: string[] = [];
  if (approvalsFile) {
    const parsed = parsePlatformReviews(readJsonFile(io, approvalsFile, 'approvals file'));
    if ('error' in parsed) throw new UsageError(`approvals file ${approvalsFile}: ${parsed.error}`);
    author ??= parsed.author;
    if (parsed.headCommit && parsed.headCommit !== head) notes.push(`the platform's last commit is ${parsed.headCommit.slice(0, 12)} but the range ends at ${head.slice(0, 12)}`);
    approvals = judgeApprovals(parsed, head, withGit(() => repo.commitInfo(head)).committerDate, author);
  }

  const gate = decideGate({ commits: report.commits, manifests: new Map(manifests.map((m) => [m.sha, m.manifest])), policy, approvals, groups, author });
  const reviewersOut = str(args, 'reviewers-out');
  if (reviewersOut) {
    const list = [...gate.request.users, ...gate.request.teams.map((t) => t.replace(/^@/, ''))].join(',');
    try {
      fs.writeFileSync(path.resolve(io.cwd, reviewersOut), list + '\n');
    } catch (e) {
      throw new UsageError(`cannot write ${reviewersOut}: ${(e as Error).message}`);
    }
  }
  for (const n of notes) io.err(`ai-provenance review: note: ${n}\n`);

  const format = bool(args, 'json') ? 'json' : (str(args, 'format') ?? 'markdown');
  if (format === 'json') emit(args, io, JSON.stringify({ range: range[0], head, policySource: source, ...gate, notes }, null, 2) + '\n');
  else emit(args, io, renderSummary({ range: range[0], head, gate, manifests, policySource: source }));
  return gate.verdict === 'ok' ? EXIT_OK : EXIT_VIOLATION;
}
