/**
 * `ai-provenance reattach <merged-commit>... --from <pr-base>..<pr-head>`: one manifest for each
 * commit a hosting platform made when it squashed or rebased a pull request on merge, rebuilt from
 * the pull request's commits and stored as the merged commit's note.
 */
import * as fs from 'fs';
import * as path from 'path';
import { rebuildRecord } from '../../commit/rebuildRecord';
import { MANIFEST_NOTES_REF, serializeManifest } from '../../core/manifest/schema';
import { findRepoRoot, runGit } from '../../git/git';
import { bool, parseArgs, str } from '../args';
import { CliIo, EXIT_OK, UsageError } from '../io';

export const help = `Usage: ai-provenance reattach <merged-commit>... --from <pr-base>..<pr-head> [options]

For platforms that squash or rebase a pull request when merging it: the commits on the target
branch are new, so the manifests of the pull request's commits (notes, or committed files) do not
describe them. reattach rebuilds one manifest for each merged commit from the pull request's
commits: each one's AI lines are moved onto the merged commit's text by content (only unchanged
lines carry), the merged commit is measured against its parent, and the result (naming the
manifests it replaces in carriedFrom) is stored as the merged commit's note. AI lines that changed
on the way count as unknown. verify and stats then read that note.

  squash merge:  one merged commit; every commit of <pr-base>..<pr-head> is carried onto it
  rebase merge:  as many merged commits as the pull request has, paired in order

Push the notes afterwards: git push origin refs/notes/ai-provenance

Options:
  --from <range>        The pull request's commits (git rev-list syntax, e.g. origin/main..pr-head)
  -C, --repo <dir>      Repository (default: the current directory)
  --notes-ref <ref>     Notes ref (default: ${MANIFEST_NOTES_REF})
  --dry-run             Print the manifests, store nothing
  -h, --help            Show this help

Exit codes: 0 ok, 2 usage or repository error.
`;

const SPEC = {
  from: { type: 'string' },
  repo: { type: 'string', alias: 'C' },
  'notes-ref': { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, SPEC);
  const from = str(args, 'from');
  if (!from) throw new UsageError('--from <pr-base>..<pr-head> is required');
  if (!args.positionals.length) throw new UsageError('name the merged commit(s)');
  const dir = path.resolve(io.cwd, str(args, 'repo') ?? '.');
  const root = fs.existsSync(dir) ? await findRepoRoot(dir).catch(() => undefined) : undefined;
  if (!root) throw new UsageError(`not a git repository (or git is missing): ${dir}`);
  const notesRef = str(args, 'notes-ref') ?? MANIFEST_NOTES_REF;

  const revList = async (spec: string[]): Promise<string[]> => {
    for (const s of spec) if (s.startsWith('-')) throw new UsageError(`bad revision '${s}'`);
    const r = await runGit(['rev-list', '--reverse', '--no-merges', '--end-of-options', ...spec, '--'], { cwd: root, okCodes: [128] });
    if (r.code !== 0) throw new UsageError(`bad revision range '${spec.join(' ')}': ${r.stderr.trim().split('\n')[0]}`);
    return r.stdout.toString('utf8').split('\n').filter(Boolean);
  };
  const originals = await revList([from]);
  if (!originals.length) throw new UsageError(`--from ${from} names no commit`);
  const merged: string[] = [];
  for (const p of args.positionals) merged.push(...(p.includes('..') ? await revList([p]) : [await commitId(root, p)]));
  if (merged.length > 1 && merged.length !== originals.length) {
    throw new UsageError(`${merged.length} merged commits but ${originals.length} pull request commits: name one squash commit, or as many rebased commits as the pull request has`);
  }

  for (let i = 0; i < merged.length; i++) {
    const target = merged[i];
    const sources = merged.length === 1 ? originals : [originals[i]];
    const m = await rebuildRecord(root, target, sources, { recordsOnly: true });
    if (!m) {
      io.out(`${target.slice(0, 12)}: the pull request's commits carry no manifest; nothing to attach\n`);
      continue;
    }
    if (bool(args, 'dry-run')) io.out(serializeManifest(m));
    else await runGit(['notes', '--ref', notesRef, 'add', '--force', '--file', '-', target], { cwd: root, input: serializeManifest(m) });
    const unknown = m.files.reduce((n, f) => n + (f.unknownLines ?? 0), 0);
    io.out(
      `${target.slice(0, 12)}: ${m.totals.aiLines} of ${m.totals.addedLines} added lines AI${unknown ? `, ${unknown} unknown` : ''} (from ${m.carriedFrom?.length ?? 0} manifest(s))` +
        `${bool(args, 'dry-run') ? '' : `; stored as the note ${m.id} under ${notesRef}`}\n`,
    );
  }
  return EXIT_OK;
}

async function commitId(root: string, rev: string): Promise<string> {
  if (rev.startsWith('-')) throw new UsageError(`bad revision '${rev}'`);
  const r = await runGit(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], { cwd: root, okCodes: [1, 128] });
  const id = r.stdout.toString('utf8').trim();
  if (r.code !== 0 || !id) throw new UsageError(`bad revision '${rev}': no such commit`);
  return id;
}
