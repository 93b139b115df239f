import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runCli } from '../../../src/cli/main';
import { memoryIo } from '../../../src/cli/io';
import { AGENT_TRACE_SCHEMA, AgentTraceRecord, uuidV5, validateAgentTrace } from '../../../src/governance/agentTrace';
import { validateJson } from '../../../src/governance/jsonSchema';
import { SENIOR, TempRepo, commitPolicy, commitWithProvenance, lines } from './fixture';

async function exportTrace(repo: TempRepo, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo(repo.dir);
  const code = await runCli(['export', ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}

function validRecord(): AgentTraceRecord {
  return {
    version: '0.1.0',
    id: '3b241101-e2bb-4255-8caf-4136c566a962',
    timestamp: '2026-11-24T09:30:00Z',
    vcs: { type: 'git', revision: 'a'.repeat(40) },
    tool: { name: 'ai-provenance', version: '0.1.0' },
    files: [{ path: 'src/a.ts', conversations: [{ contributor: { type: 'ai', model_id: 'gpt-4o' }, ranges: [{ start_line: 1, end_line: 3, content_hash: 'sha256:' + 'ab'.repeat(32) }] }] }],
    metadata: { anything: { goes: true } },
  };
}

describe('cli export --format agent-trace', function () {
  this.timeout(30000);
  let repo: TempRepo;
  beforeEach(() => {
    repo = TempRepo.create();
  });
  afterEach(() => repo.cleanup());

  it('writes one schema-valid record per commit with a manifest, with ranges and hashes from the manifest', async () => {
    commitPolicy(repo);
    const a = commitWithProvenance(repo, {
      subject: 'Add parser',
      files: { 'src/parser.ts': lines(10), 'README.md': 'hello\n' },
      ai: { 'src/parser.ts': [{ start: 2, end: 5, kind: 'chat' }, { start: 7, end: 7, kind: 'chat' }, { start: 8, end: 8, kind: 'inline', trivial: true }] },
      extraTrailers: [`Reviewed-by: ${SENIOR.name} <${SENIOR.email}>`],
    });
    const b = commitWithProvenance(repo, {
      subject: 'Agent edit',
      files: { 'src/parser.ts': lines(12) },
      ai: { 'src/parser.ts': [{ start: 11, end: 12, kind: 'agent', tool: 'claude-code', model: null }] },
      location: 'notes',
    });
    const r = await exportTrace(repo, '--format', 'agent-trace', 'HEAD');
    assert.strictEqual(r.code, 0, r.err);
    const records = r.out.trim().split('\n').map((l) => JSON.parse(l) as AgentTraceRecord);
    assert.strictEqual(records.length, 2);
    for (const rec of records) assert.deepStrictEqual(validateAgentTrace(rec), []);
    const [ra, rb] = records;
    assert.deepStrictEqual(ra.vcs, { type: 'git', revision: a.sha });
    assert.deepStrictEqual(rb.vcs, { type: 'git', revision: b.sha });
    assert.deepStrictEqual(ra.tool, { name: 'ai-provenance', version: '0.1.0' });
    assert.strictEqual(ra.timestamp, '2026-11-03T12:00:00+00:00');
    assert.deepStrictEqual(ra.files.map((f) => f.path), ['src/parser.ts'], 'files without AI lines are left out');
    const convs = ra.files[0].conversations;
    assert.strictEqual(convs.length, 2, 'one conversation per tool/model/kind');
    assert.deepStrictEqual(convs[0].contributor, { type: 'ai', model_id: 'gpt-4o' });
    assert.deepStrictEqual(
      convs.map((c) => c.ranges.map((x) => [x.start_line, x.end_line])),
      [[[2, 5], [7, 7]], [[8, 8]]],
    );
    const manifestRanges = a.manifest.files.find((f) => f.path === 'src/parser.ts')!.ranges;
    assert.deepStrictEqual(convs.flatMap((c) => c.ranges.map((x) => x.content_hash)).sort(), manifestRanges.map((x) => `sha256:${x.sha256}`).sort());
    assert.deepStrictEqual(rb.files[0].conversations[0].contributor, { type: 'ai' });
    const meta = (rb.metadata as Record<string, { manifest_id: string; manifest_source: string; ranges: Record<string, Array<{ kind: string; tool: string }>> }>)['ai-provenance'];
    assert.strictEqual(meta.manifest_id, b.manifest.id);
    assert.strictEqual(meta.manifest_source, 'note:refs/notes/ai-provenance');
    assert.deepStrictEqual(meta.ranges['src/parser.ts'].map((x) => [x.kind, x.tool]), [['agent', 'claude-code']]);

    // Stable ids, and a JSON array on request.
    const again = await exportTrace(repo, '--format', 'agent-trace', '--array', 'HEAD');
    const arr = JSON.parse(again.out) as AgentTraceRecord[];
    assert.deepStrictEqual(arr.map((x) => x.id), records.map((x) => x.id));
    assert.strictEqual(ra.id, uuidV5(`${a.sha}/${a.manifest.id}`));
    assert.notStrictEqual(ra.id, rb.id);

    // --output writes the file.
    const out = await exportTrace(repo, '--format', 'agent-trace', 'HEAD', '-o', 'trace.jsonl');
    assert.strictEqual(out.code, 0);
    assert.strictEqual(out.out, '');
    assert.strictEqual(fs.readFileSync(path.join(repo.dir, 'trace.jsonl'), 'utf8'), r.out);
  });

  it('reports an invalid manifest naming the commit, and exits 1', async () => {
    commitPolicy(repo);
    const c = commitWithProvenance(repo, { subject: 'Bad', files: { 'a.ts': lines(3) }, ai: { 'a.ts': [{ start: 1, end: 3 }] }, location: 'notes' });
    repo.git(['notes', '--ref=refs/notes/ai-provenance', 'add', '-f', '-m', '{"schema": "nope"}', c.sha]);
    const r = await exportTrace(repo, '--format', 'agent-trace', 'HEAD');
    assert.strictEqual(r.code, 1);
    assert.match(r.err, new RegExp(`commit ${c.sha.slice(0, 12)}: manifest \\(note:refs/notes/ai-provenance\\) is invalid`));
    assert.strictEqual(r.out, '');
  });

  it('does not write a record that fails the schema (manifest with an empty generator name)', async () => {
    commitPolicy(repo);
    const c = commitWithProvenance(repo, {
      subject: 'Odd generator',
      files: { 'a.ts': lines(3) },
      ai: { 'a.ts': [{ start: 1, end: 1, trivial: true }] },
      mutate: (m) => ({ ...m, generator: { name: '', version: '0.1.0' } }),
    });
    const r = await exportTrace(repo, '--format', 'agent-trace', 'HEAD');
    assert.strictEqual(r.code, 1);
    assert.strictEqual(r.out, '');
    assert.match(r.err, new RegExp(`commit ${c.sha.slice(0, 12)}: record does not match the Agent Trace schema: /tool/name must have at least 1 character`));
  });

  it('prints the schema with --schema', async () => {
    const r = await exportTrace(repo, '--schema');
    assert.strictEqual(r.code, 0);
    assert.deepStrictEqual(JSON.parse(r.out), AGENT_TRACE_SCHEMA);
    assert.strictEqual(JSON.parse(r.out).$defs.contributor.properties.type.enum.join(','), 'human,ai,mixed,unknown');
  });

  it('needs --format', async () => {
    commitPolicy(repo);
    const r = await exportTrace(repo, 'HEAD');
    assert.strictEqual(r.code, 2);
    assert.match(r.err, /missing --format/);
    assert.strictEqual((await exportTrace(repo, '--format', 'csv', 'HEAD')).code, 2);
  });
});

describe('Agent Trace schema validator', () => {
  it('accepts a valid record', () => {
    assert.deepStrictEqual(validateAgentTrace(validRecord()), []);
  });

  const cases: Array<[string, (r: Record<string, any>) => void, RegExp]> = [
    ['a missing id', (r) => delete r.id, /missing required property 'id'/],
    ['a bad UUID', (r) => (r.id = 'not-a-uuid'), /^\/id must be a UUID/],
    ['a bad timestamp', (r) => (r.timestamp = '2026-11-24 09:30'), /^\/timestamp must be an RFC 3339 date-time/],
    ['another version', (r) => (r.version = '0.2.0'), /^\/version must be "0\.1\.0"/],
    ['an unknown vcs', (r) => (r.vcs.type = 'cvs'), /^\/vcs\/type must be one of/],
    ['an unknown top-level field', (r) => (r.extra = 1), /^\/extra property 'extra' is not allowed/],
    ['a bad contributor type', (r) => (r.files[0].conversations[0].contributor.type = 'robot'), /^\/files\/0\/conversations\/0\/contributor\/type must be one of/],
    ['line 0', (r) => (r.files[0].conversations[0].ranges[0].start_line = 0), /start_line must be >= 1/],
    ['a fractional line', (r) => (r.files[0].conversations[0].ranges[0].end_line = 2.5), /end_line expected integer, got number/],
    ['an absolute path', (r) => (r.files[0].path = '/etc/passwd'), /^\/files\/0\/path matches a forbidden form/],
    ['files not an array', (r) => (r.files = {}), /^\/files expected array, got object/],
    ['a conversation without ranges', (r) => (r.files[0].conversations[0].ranges = []), /ranges must have at least 1 item/],
  ];
  for (const [name, mutate, message] of cases) {
    it(`rejects ${name}`, () => {
      const r = validRecord() as unknown as Record<string, any>;
      mutate(r);
      const errors = validateAgentTrace(r).map((e) => `${e.path} ${e.message}`);
      assert.ok(errors.some((e) => message.test(e)), errors.join('\n') || 'no errors');
    });
  }

  it('refuses schemas that use keywords it does not implement', () => {
    assert.throws(() => validateJson({}, { oneOf: [] }), /'oneOf' is not supported/);
    assert.ok(AGENT_TRACE_SCHEMA.$defs);
  });
});
