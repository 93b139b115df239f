/** `ai-provenance export --format agent-trace <rev-range>`. */
import { AGENT_TRACE_SCHEMA, AgentTraceRecord, toAgentTrace, validateAgentTrace } from '../../governance/agentTrace';
import { forEachCommitProvenance } from '../../governance/commitProvenance';
import { MANIFEST_NOTES_REF } from '../../core/manifest/schema';
import { bool, parseArgs, str } from '../args';
import { repoHelp, REPO_OPTIONS, emit, openRepo, requireRange, withGitAsync } from '../common';
import { CliIo, EXIT_OK, EXIT_VIOLATION, UsageError } from '../io';

export const help = `Usage: ai-provenance export --format agent-trace <rev-range> [options]

Writes one Agent Trace v0.1.0 record per commit of <rev-range> that has a valid provenance
manifest: vcs {type: git, revision}, tool {name, version} of the manifest's generator, and per
file one conversation per tool/model/origin kind with the AI line ranges and
content_hash "sha256:<hex>" of each range's committed text. Origin kinds, the manifest id and
totals go in metadata["ai-provenance"]. Each record is checked against the bundled JSON Schema
before it is written. Record ids are stable (derived from the commit and manifest ids).

Options:
  --format agent-trace   Output format (the only one so far; required)
  --array                One JSON array instead of JSON Lines (one record per line)
  --schema               Print the JSON Schema the records follow, and exit
  -o, --output <file>    Write to a file instead of stdout
${repoHelp(25)}
  -h, --help             Show this help

Commits without a manifest are skipped; commits whose manifest is invalid are reported on
stderr. Exit codes: 0 ok, 1 a manifest was invalid or a record failed the schema, 2 usage or
repository error.
`;

const SPEC = {
  ...REPO_OPTIONS,
  format: { type: 'string', choices: ['agent-trace'] },
  array: { type: 'boolean' },
  schema: { type: 'boolean' },
  output: { type: 'string', alias: 'o' },
} as const;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, SPEC);
  if (bool(args, 'schema')) {
    emit(args, io, JSON.stringify(AGENT_TRACE_SCHEMA, null, 2) + '\n');
    return EXIT_OK;
  }
  if (str(args, 'format') === undefined) {
    throw new UsageError("missing --format (supported: agent-trace)");
  }
  const range = requireRange(args, 'export');
  const repo = openRepo(args, io);
  const notesRef = str(args, 'notes-ref');
  const records: AgentTraceRecord[] = [];
  let failed = false;
  let skipped = 0;
  await withGitAsync(() =>
    forEachCommitProvenance(repo, repo.revList(range), notesRef ?? MANIFEST_NOTES_REF, {}, (p) => {
      const sha = p.info.sha;
      if (!p.raw) {
        skipped++;
        return;
      }
      if (!p.manifest) {
        failed = true;
        io.err(`ai-provenance export: commit ${sha.slice(0, 12)}: manifest (${p.raw.source}) is invalid: ${(p.manifestErrors ?? []).map((e) => `${e.path ? e.path + ': ' : ''}${e.message}`).slice(0, 3).join('; ')}\n`);
        return;
      }
      const record = toAgentTrace({ sha, date: p.info.committerDate, manifest: p.manifest, manifestSource: p.raw.source });
      const errors = validateAgentTrace(record);
      if (errors.length) {
        failed = true;
        io.err(`ai-provenance export: commit ${sha.slice(0, 12)}: record does not match the Agent Trace schema: ${errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}\n`);
        return;
      }
      records.push(record);
    }),
  );
  const text = bool(args, 'array') ? JSON.stringify(records, null, 2) + '\n' : records.map((r) => JSON.stringify(r) + '\n').join('');
  emit(args, io, text);
  if (skipped && str(args, 'output')) io.err(`ai-provenance export: ${records.length} record(s) written, ${skipped} commit(s) without a manifest skipped\n`);
  return failed ? EXIT_VIOLATION : EXIT_OK;
}
