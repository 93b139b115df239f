import * as assert from 'assert';
import { runCli } from '../../../src/cli/main';
import { memoryIo } from '../../../src/cli/io';
import { AUTHOR, SENIOR, TEST_POLICY, TempRepo, commitPolicy, commitWithProvenance, lines } from './fixture';
import { POLICY_FILE } from '../../../src/core/policy/policy';
import { sha256Hex } from '../../../src/core/manifest/schema';

interface JsonReport {
  commits: Array<{ sha: string; status: string; findings: Array<{ rule: string; severity: string; commit: string; message: string; file?: string; line?: number }> }>;
  summary: { commits: number; passed: number; failed: number; skipped: number; errors: number };
}

async function verify(repo: TempRepo, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo(repo.dir);
  const code = await runCli(['verify', ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}

async function verifyJson(repo: TempRepo, ...args: string[]): Promise<{ code: number; report: JsonReport }> {
  const r = await verify(repo, ...args, '--json');
  return { code: r.code, report: JSON.parse(r.out) as JsonReport };
}

const REVIEWED = `Reviewed-by: ${SENIOR.name} <${SENIOR.email}>`;

/** A history that meets the policy: a policy commit, a reviewed AI commit (manifest in the repo), a small AI commit (note). */
function cleanHistory(repo: TempRepo): { base: string; ai: string; small: string } {
  const base = commitPolicy(repo);
  const ai = commitWithProvenance(repo, {
    subject: 'Add parser',
    files: { 'src/parser.ts': lines(10), 'README.md': 'hello\n' },
    ai: { 'src/parser.ts': [{ start: 2, end: 5, kind: 'chat' }, { start: 8, end: 8, kind: 'inline', tool: 'github.copilot', model: 'gpt-4o', trivial: true }] },
    extraTrailers: [REVIEWED],
  }).sha;
  const small = commitWithProvenance(repo, {
    subject: 'Tweak parser',
    files: { 'src/parser.ts': lines(12) },
    ai: { 'src/parser.ts': [{ start: 12, end: 12, kind: 'inline', tool: 'codeium', model: null, trivial: true }] },
    location: 'notes',
  }).sha;
  return { base, ai, small };
}

describe('cli verify', function () {
  this.timeout(30000);
  let repo: TempRepo;
  beforeEach(() => {
    repo = TempRepo.create();
  });
  afterEach(() => repo.cleanup());

  it('passes a clean history (manifest in the commit and in a note, reviewed flagged change)', async () => {
    const { ai, small } = cleanHistory(repo);
    const { code, report } = await verifyJson(repo, 'HEAD');
    assert.deepStrictEqual(report.commits.flatMap((c) => c.findings), []);
    assert.strictEqual(code, 0);
    assert.deepStrictEqual(
      report.commits.map((c) => [c.sha, c.status]),
      [
        [report.commits[0].sha, 'pass'],
        [ai, 'pass'],
        [small, 'pass'],
      ],
    );
    assert.strictEqual(report.summary.passed, 3);
    const table = await verify(repo, 'HEAD');
    assert.strictEqual(table.code, 0);
    assert.match(table.out, /3 commit\(s\): 3 passed, 0 failed/);
  });

  it('fails a manifest whose range hash was edited in the note, naming the commit and the lines', async () => {
    const { small } = cleanHistory(repo);
    const note = JSON.parse(repo.git(['notes', '--ref=refs/notes/ai-provenance', 'show', small]));
    note.files[0].ranges[0].sha256 = 'f'.repeat(64);
    repo.git(['notes', '--ref=refs/notes/ai-provenance', 'add', '-f', '-F', '-', small], JSON.stringify(note));
    const { code, report } = await verifyJson(repo, 'HEAD~1..HEAD');
    assert.strictEqual(code, 1);
    const f = report.commits[0].findings;
    assert.strictEqual(report.commits[0].sha, small);
    assert.deepStrictEqual(f.map((x) => x.rule), ['range-hash-mismatch']);
    assert.strictEqual(f[0].file, 'src/parser.ts');
    assert.strictEqual(f[0].line, 12);
    const text = await verify(repo, 'HEAD~1..HEAD');
    assert.match(text.out, new RegExp(`ERROR ${small.slice(0, 12)} \\[range-hash-mismatch\\] src/parser.ts:12: .*AI lines 12-12`));
  });

  it('checks the conversations of a manifest: a redacted prompt passes; a secret in a prompt, or prompt text under "hash", fails', async () => {
    const { small } = cleanHistory(repo);
    const original = JSON.parse(repo.git(['notes', '--ref=refs/notes/ai-provenance', 'show', small]));
    const withPrompt = (mode: string, prompt: string) => {
      const note = JSON.parse(JSON.stringify(original));
      note.prompts = { version: 1, mode };
      note.files[0].ranges[0].conversation = 'req-1';
      note.files[0].conversations = [{ id: 'req-1', kind: 'chat', tool: 'codeium', promptSha256: sha256Hex(prompt), prompt }];
      repo.git(['notes', '--ref=refs/notes/ai-provenance', 'add', '-f', '-F', '-', small], JSON.stringify(note));
    };
    // The range is an inline completion in the history; a conversation needs a chat kind.
    original.files[0].ranges[0].kind = 'chat';
    original.files[0].ranges[0].trivial = false;
    original.files[0].nonTrivialAiLines = 1;
    original.totals.nonTrivialAiLines = 1;
    original.totals.byKind = { chat: 1 };
    withPrompt('text', 'use the key [REDACTED:aws-access-key]');
    const clean = await verifyJson(repo, 'HEAD~1..HEAD');
    assert.deepStrictEqual(clean.report.commits[0].findings.filter((f) => f.rule === 'manifest-invalid'), []);
    withPrompt('text', `use the key ${['AKIA', 'IOSFODNN7', 'EXAMPLE'].join('')}`);
    const leaked = await verify(repo, 'HEAD~1..HEAD');
    assert.strictEqual(leaked.code, 1);
    assert.match(leaked.out, /\[manifest-invalid\].*files\[0\]\.conversations\[0\]\.prompt: holds a secret that was not redacted/);
    withPrompt('hash', 'use the key [REDACTED:aws-access-key]');
    const hashed = await verify(repo, 'HEAD~1..HEAD');
    assert.strictEqual(hashed.code, 1);
    assert.match(hashed.out, /prompt text present although prompts are "hash"/);
  });

  it('fails when the committed content differs from the manifest (manifest made before a last edit)', async () => {
    commitPolicy(repo);
    const c = commitWithProvenance(repo, {
      subject: 'Add util',
      files: { 'util.ts': lines(6) },
      ai: { 'util.ts': [{ start: 1, end: 4 }] },
      extraTrailers: [REVIEWED],
      mutate: (m) => {
        // The manifest claims the text before a human edit of line 2.
        const edited = lines(6).replace('line 2', 'line two');
        const { sha256Hex, rangeText } = require('../../../src/core/manifest/schema');
        const f = m.files[0];
        return { ...m, files: [{ ...f, sha256: sha256Hex(edited), ranges: f.ranges.map((r) => ({ ...r, sha256: sha256Hex(rangeText(edited, r.startLine, r.endLine)) })) }] };
      },
    });
    const { code, report } = await verifyJson(repo, 'HEAD^..HEAD');
    assert.strictEqual(code, 1);
    const rules = report.commits[0].findings.map((f) => f.rule).sort();
    assert.deepStrictEqual(rules, ['file-hash-mismatch', 'range-hash-mismatch']);
    assert.ok(report.commits[0].findings.every((f) => f.commit === c.sha));
  });

  it('fails a tampered committed manifest whose totals no longer add up', async () => {
    commitPolicy(repo);
    commitWithProvenance(repo, {
      subject: 'Add util',
      files: { 'util.ts': lines(6) },
      ai: { 'util.ts': [{ start: 1, end: 4 }] },
      extraTrailers: [REVIEWED],
      mutate: (m) => ({ ...m, files: m.files.map((f) => ({ ...f, aiLines: 1, nonTrivialAiLines: 1, ranges: [f.ranges[0]].map((r) => ({ ...r, endLine: 1 })) })) }),
    });
    const { code, report } = await verifyJson(repo, 'HEAD^..HEAD');
    assert.strictEqual(code, 1);
    const f = report.commits[0].findings;
    assert.ok(f.some((x) => x.rule === 'manifest-invalid' && /totals/.test(x.message)), JSON.stringify(f));
  });

  it('fails a trailer edited after the fact (figures no longer match the manifest)', async () => {
    cleanHistory(repo);
    // Rewrite the AI commit's message: lower the declared share.
    repo.git(['checkout', '-q', 'HEAD~1']);
    const msg = repo.git(['log', '-1', '--format=%B']);
    const edited = msg.replace(/AI-Contribution: .*/, 'AI-Contribution: 10% (1 of 11 added lines; chat 1)');
    assert.notStrictEqual(edited, msg);
    repo.git(['commit', '-q', '--amend', '-F', '-'], edited);
    const amended = repo.head();
    const { code, report } = await verifyJson(repo, 'HEAD~1..HEAD');
    assert.strictEqual(code, 1);
    const f = report.commits[0].findings;
    assert.strictEqual(report.commits[0].sha, amended);
    assert.deepStrictEqual(f.map((x) => x.rule), ['trailer-mismatch']);
    assert.match(f[0].message, /AI-Contribution says '10% \(1 of 11 added lines; chat 1\)' but the manifest implies '\d+% \(5 of 11 added lines; inline 1, chat 4\)'/);
  });

  it('accepts Assisted-by values of other tools but not a missing one of ours', async () => {
    commitPolicy(repo);
    commitWithProvenance(repo, {
      subject: 'Two tools',
      files: { 'a.ts': lines(4) },
      ai: { 'a.ts': [{ start: 1, end: 1, trivial: true, kind: 'inline' }, { start: 3, end: 3, trivial: true, kind: 'inlinePartial', tool: 'copilot-chat', model: 'gpt-5' }] },
      extraTrailers: ['Assisted-by: aider:gpt-4.1'],
    });
    let r = await verifyJson(repo, 'HEAD^..HEAD');
    assert.strictEqual(r.code, 0, JSON.stringify(r.report.commits[0].findings));
    repo.git(['commit', '-q', '--amend', '-F', '-'], repo.git(['log', '-1', '--format=%B']).replace('Assisted-by: copilot-chat:gpt-5\n', ''));
    r = await verifyJson(repo, 'HEAD^..HEAD');
    assert.strictEqual(r.code, 1);
    assert.deepStrictEqual(r.report.commits[0].findings.map((f) => [f.rule, f.message]), [
      ['trailer-mismatch', "Assisted-by: 'copilot-chat:gpt-5' missing; the manifest names 'copilot-chat:gpt-5', 'github.copilot:gpt-4o'"],
    ]);
  });

  it('fails a flagged change without a senior review, and accepts a senior or group member but not the author', async () => {
    commitPolicy(repo);
    const unreviewed = commitWithProvenance(repo, {
      subject: 'Big AI change',
      files: { 'a.ts': lines(5) },
      ai: { 'a.ts': [{ start: 1, end: 5, kind: 'agent', tool: 'claude-code', model: 'claude-sonnet-4' }] },
      extraTrailers: ['Reviewed-by: Bob Junior <bob@example.com>'],
    });
    let r = await verifyJson(repo, 'HEAD^..HEAD');
    assert.strictEqual(r.code, 1);
    const f = r.report.commits[0].findings;
    assert.deepStrictEqual(f.map((x) => x.rule), ['review-missing']);
    assert.strictEqual(f[0].commit, unreviewed.sha);
    assert.match(f[0].message, /5 non-trivial AI lines \(threshold 3\).*'senior'.*bob@example\.com \(not 'senior'\)/);

    commitWithProvenance(repo, {
      subject: 'Self-reviewed',
      files: { 'b.ts': lines(5) },
      ai: { 'b.ts': [{ start: 1, end: 5 }] },
      extraTrailers: [`Reviewed-by: ${AUTHOR.name} <${AUTHOR.email}>`],
    });
    const selfPolicy = { review: { required: 'senior', reviewers: { senior: { emails: [AUTHOR.email], groups: [] } } } };
    require('fs').writeFileSync(require('path').join(repo.dir, 'self-policy.json'), JSON.stringify(selfPolicy));
    r = await verifyJson(repo, 'HEAD^..HEAD', '--policy', 'self-policy.json');
    assert.strictEqual(r.code, 1);
    assert.match(r.report.commits[0].findings[0].message, /ada@example\.com \(the author\)/);
    r = await verifyJson(repo, 'HEAD^..HEAD', '--policy', 'self-policy.json', '--allow-self-review');
    assert.strictEqual(r.code, 0);

    commitWithProvenance(repo, {
      subject: 'Group-reviewed',
      files: { 'c.ts': lines(5) },
      ai: { 'c.ts': [{ start: 1, end: 5 }] },
      extraTrailers: ['Reviewed-by: Gil Group <gil@example.com>'],
    });
    r = await verifyJson(repo, 'HEAD^..HEAD');
    assert.strictEqual(r.code, 1, 'not a senior without the groups file');
    require('fs').writeFileSync(require('path').join(repo.dir, 'groups.json'), JSON.stringify({ '@acme/seniors': ['GIL@example.com'] }));
    r = await verifyJson(repo, 'HEAD^..HEAD', '--groups', 'groups.json');
    assert.strictEqual(r.code, 0, JSON.stringify(r.report.commits[0].findings));
  });

  it('fails a commit that declares AI but whose manifest is missing', async () => {
    commitPolicy(repo);
    const c = commitWithProvenance(repo, {
      subject: 'Lost manifest',
      files: { 'a.ts': lines(5) },
      ai: { 'a.ts': [{ start: 1, end: 5 }] },
      extraTrailers: [REVIEWED],
      location: 'notes',
    });
    repo.git(['notes', '--ref=refs/notes/ai-provenance', 'remove', c.sha]);
    const { code, report } = await verifyJson(repo, 'HEAD^..HEAD');
    assert.strictEqual(code, 1);
    const f = report.commits[0].findings;
    assert.deepStrictEqual(f.map((x) => x.rule), ['manifest-missing']);
    assert.strictEqual(f[0].commit, c.sha);
    assert.match(f[0].message, new RegExp(`AI-Assisted: yes but has no provenance manifest \\(neither \\.ai-provenance/${c.manifest.id}\\.json`));
    assert.ok(!f[0].message.includes('does not exist in this clone'), 'other notes exist');
    // Without any notes ref (e.g. a CI clone that did not fetch notes), say how to fetch them.
    repo.git(['update-ref', '-d', 'refs/notes/ai-provenance']);
    const again = await verifyJson(repo, 'HEAD^..HEAD');
    assert.match(again.report.commits[0].findings[0].message, /refs\/notes\/ai-provenance does not exist in this clone: fetch it with git fetch origin '\+refs\/notes\/ai-provenance:refs\/notes\/ai-provenance'/);
  });

  it('reports a manifest that names another id than the trailer', async () => {
    commitPolicy(repo);
    commitWithProvenance(repo, {
      subject: 'Swapped',
      files: { 'a.ts': lines(2) },
      location: 'notes',
      message: (m) => m.replace(/AI-Provenance: .*/, 'AI-Provenance: 00000000-0000-4000-8000-000000000000'),
    });
    const { code, report } = await verifyJson(repo, 'HEAD^..HEAD');
    assert.strictEqual(code, 1);
    assert.deepStrictEqual(report.commits[0].findings.map((f) => f.rule), ['manifest-mismatch']);
  });

  it('fails a commit whose note manifest is not named by an AI-Provenance trailer', async () => {
    commitPolicy(repo);
    const c = commitWithProvenance(repo, {
      subject: 'Trailer dropped',
      files: { 'a.ts': lines(2) },
      location: 'notes',
      message: (m) => m.replace(/\nAI-Provenance: .*/, ''),
    });
    const { code, report } = await verifyJson(repo, 'HEAD^..HEAD');
    assert.strictEqual(code, 1);
    const f = report.commits[0].findings;
    assert.deepStrictEqual(f.map((x) => [x.rule, x.commit]), [['trailer-mismatch', c.sha]]);
    assert.match(f[0].message, /no AI-Provenance trailer naming it/);
  });

  it('requires a declaration only with --require-declaration (merges exempt)', async () => {
    commitPolicy(repo);
    repo.write('x.txt', 'x\n');
    repo.git(['add', 'x.txt']);
    const plain = repo.commit('Plain commit');
    let r = await verifyJson(repo, 'HEAD^..HEAD');
    assert.strictEqual(r.code, 0);
    assert.strictEqual(r.report.commits[0].status, 'skip');
    r = await verifyJson(repo, 'HEAD^..HEAD', '--require-declaration');
    assert.strictEqual(r.code, 1);
    assert.deepStrictEqual(r.report.commits[0].findings.map((f) => [f.rule, f.commit]), [['declaration-missing', plain]]);
    const sarif = JSON.parse((await verify(repo, 'HEAD^..HEAD', '--require-declaration', '--format', 'sarif')).out);
    assert.strictEqual(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, 'x.txt', 'anchored on the changed file');
  });

  it('requires a declaration when the policy says so (declaration.required), and --policy-rev keeps a change from turning that off', async () => {
    const strict = { ...TEST_POLICY, declaration: { required: true } };
    commitPolicy(repo, strict);
    repo.write('x.txt', 'x\n');
    repo.git(['add', 'x.txt']);
    const plain = repo.commit('Plain commit');
    let r = await verifyJson(repo, 'HEAD^..HEAD');
    assert.strictEqual(r.code, 1);
    assert.deepStrictEqual(r.report.commits[0].findings.map((f) => [f.rule, f.commit]), [['declaration-missing', plain]]);
    assert.match(r.report.commits[0].findings[0].message, new RegExp(`required by declaration\\.required in \\.ai-provenance\\.json at ${plain.slice(0, 12)}`));
    repo.write('y.txt', 'y\n');
    repo.git(['add', 'y.txt']);
    repo.commit('Declared human commit\n\nAI-Assisted: no\n');
    r = await verifyJson(repo, 'HEAD^..HEAD');
    assert.strictEqual(r.code, 0, JSON.stringify(r.report));

    // A change that turns the requirement off is judged by its own policy, unless --policy-rev names the base.
    const base = repo.git(['rev-parse', 'HEAD']).trim();
    repo.write(POLICY_FILE, JSON.stringify({ version: 1, ...TEST_POLICY, declaration: { required: false } }) + '\n');
    repo.write('z.txt', 'z\n');
    repo.git(['add', '-A']);
    repo.commit('Relax the policy');
    assert.strictEqual((await verifyJson(repo, 'HEAD^..HEAD')).code, 0);
    r = await verifyJson(repo, 'HEAD^..HEAD', '--policy-rev', base);
    assert.strictEqual(r.code, 1);
    assert.match(r.report.commits[0].findings[0].message, new RegExp(`required by declaration\\.required in \\.ai-provenance\\.json at ${base}`));

    // An unreadable policy is reported, not taken as "not required".
    repo.write(POLICY_FILE, '{ "declaration": { "required": "yes" } }\n');
    repo.git(['add', '-A']);
    repo.commit('Break the policy');
    r = await verifyJson(repo, 'HEAD^..HEAD');
    assert.strictEqual(r.code, 1);
    assert.deepStrictEqual(r.report.commits[0].findings.map((f) => f.rule), ['policy-invalid']);
  });

  it('with --policy-rev, judges commits by the base branch policy rather than one the change weakens', async () => {
    const base = commitPolicy(repo);
    const weak = { threshold: { nonTrivialLines: 100, percentOfAddedLines: 0 }, review: { required: 'senior', reviewers: {} } };
    const c = commitWithProvenance(repo, {
      subject: 'Weaken policy and add AI code',
      files: { '.ai-provenance.json': JSON.stringify({ version: 1, ...weak }) + '\n', 'a.ts': lines(6) },
      ai: { 'a.ts': [{ start: 1, end: 6 }] },
      policy: weak,
    });
    let r = await verifyJson(repo, 'HEAD^..HEAD');
    assert.strictEqual(r.code, 0, JSON.stringify(r.report));
    r = await verifyJson(repo, 'HEAD^..HEAD', '--policy-rev', base);
    assert.strictEqual(r.code, 1);
    assert.deepStrictEqual(r.report.commits[0].findings.map((f) => [f.rule, f.commit]), [['review-missing', c.sha]]);
    const bad = await verify(repo, 'HEAD^..HEAD', '--policy-rev', 'no-such-branch');
    assert.strictEqual(bad.code, 2);
    assert.match(bad.err, /bad revision 'no-such-branch'/);
  });

  it('checks a submodule entry by its commit id', async () => {
    commitPolicy(repo);
    const gitlink = 'a'.repeat(40);
    repo.git(['update-index', '--add', '--cacheinfo', `160000,${gitlink},vendor/lib`]);
    commitWithProvenance(repo, { subject: 'Add submodule', files: { 'a.ts': lines(2) } });
    let r = await verifyJson(repo, 'HEAD^..HEAD');
    assert.strictEqual(r.code, 0, JSON.stringify(r.report.commits[0].findings));
    repo.git(['update-index', '--cacheinfo', `160000,${'b'.repeat(40)},vendor/lib`]);
    commitWithProvenance(repo, {
      subject: 'Move submodule',
      files: { 'a.ts': lines(3) },
      mutate: (m) => ({ ...m, files: m.files.map((f) => (f.path === 'vendor/lib' ? { ...f, sha256: require('../../../src/core/manifest/schema').sha256Hex(gitlink) } : f)) }),
    });
    r = await verifyJson(repo, 'HEAD^..HEAD');
    assert.strictEqual(r.code, 1);
    assert.deepStrictEqual(r.report.commits[0].findings.map((f) => [f.rule, f.file]), [['file-hash-mismatch', 'vendor/lib']]);
  });

  it('fails figures claimed without a manifest, and a broken policy only where a manifest needs it', async () => {
    commitPolicy(repo);
    repo.write('a.ts', lines(2));
    repo.git(['add', 'a.ts']);
    const claimed = repo.commit('Hand-written figures\n\nAI-Contribution: 50% (1 of 2 added lines; chat 1)\n');
    let r = await verifyJson(repo, 'HEAD^..HEAD');
    assert.strictEqual(r.code, 1);
    assert.deepStrictEqual(r.report.commits[0].findings.map((f) => [f.rule, f.commit]), [['manifest-missing', claimed]]);
    assert.match(r.report.commits[0].findings[0].message, /declares AI-Contribution trailers but has no provenance manifest/);

    repo.write('.ai-provenance.json', '{"threshold": {"nonTrivialLines": "3"}}\n');
    repo.git(['add', '.ai-provenance.json']);
    repo.commit('Break the policy\n\nAI-Assisted: no\n');
    r = await verifyJson(repo, 'HEAD^..HEAD');
    assert.strictEqual(r.code, 0, 'a commit without a manifest does not need the policy');
    const c = commitWithProvenance(repo, { subject: 'AI on a broken policy', files: { 'b.ts': lines(2) }, ai: { 'b.ts': [{ start: 1, end: 1, trivial: true }] } });
    r = await verifyJson(repo, 'HEAD^..HEAD');
    assert.strictEqual(r.code, 1);
    const f = r.report.commits[0].findings;
    assert.deepStrictEqual(f.map((x) => [x.rule, x.commit, x.file]), [['policy-invalid', c.sha, '.ai-provenance.json']]);
    assert.match(f[0].message, /threshold\.nonTrivialLines: expected a non-negative integer, got "3"/);
  });

  it('honours a review the committer\'s stricter settings required, unless the policy requires none', async () => {
    commitPolicy(repo);
    // The committer's settings flag from 1 line; the repository policy only from 3.
    commitWithProvenance(repo, {
      subject: 'Small AI change, strict settings',
      files: { 'a.ts': lines(4) },
      ai: { 'a.ts': [{ start: 1, end: 1 }] },
      policy: { ...require('./fixture').TEST_POLICY, threshold: { nonTrivialLines: 1, percentOfAddedLines: 0 } },
    });
    let r = await verifyJson(repo, 'HEAD^..HEAD');
    assert.strictEqual(r.code, 1);
    assert.deepStrictEqual(r.report.commits[0].findings.map((f) => f.rule), ['review-missing']);
    assert.match(r.report.commits[0].findings[0].message, /the manifest flags the change and requires 'senior' review/);
    require('fs').writeFileSync(require('path').join(repo.dir, 'no-review.json'), JSON.stringify({ review: { required: null } }));
    r = await verifyJson(repo, 'HEAD^..HEAD', '--policy', 'no-review.json');
    assert.strictEqual(r.code, 0, JSON.stringify(r.report.commits[0].findings));
  });

  it('handles paths with spaces and non-ASCII characters', async () => {
    commitPolicy(repo);
    const file = 'src/größe und ñ.ts';
    commitWithProvenance(repo, { subject: 'Unicode path', files: { [file]: lines(4) }, ai: { [file]: [{ start: 1, end: 4 }] }, extraTrailers: [REVIEWED] });
    let r = await verifyJson(repo, 'HEAD^..HEAD');
    assert.strictEqual(r.code, 0, JSON.stringify(r.report.commits[0].findings));
    repo.write(file, lines(4).replace('line 3', 'line three'));
    repo.git(['add', '--', file]);
    repo.git(['commit', '-q', '--amend', '--no-edit']);
    r = await verifyJson(repo, 'HEAD^..HEAD');
    assert.deepStrictEqual(r.report.commits[0].findings.map((f) => [f.rule, f.file, f.line]), [['file-hash-mismatch', file, 1], ['range-hash-mismatch', file, 1]]);
  });

  it('writes SARIF 2.1.0 and GitHub annotations for failures', async () => {
    commitPolicy(repo);
    const c = commitWithProvenance(repo, {
      subject: 'Unreviewed',
      files: { 'dir/a,b.ts': lines(5) },
      ai: { 'dir/a,b.ts': [{ start: 1, end: 5 }] },
      mutate: (m) => ({ ...m, files: m.files.map((f) => ({ ...f, ranges: f.ranges.map((r) => ({ ...r, sha256: '0'.repeat(64) })) })) }),
    });
    const sarif = await verify(repo, 'HEAD^..HEAD', '--format', 'sarif');
    assert.strictEqual(sarif.code, 1);
    const log = JSON.parse(sarif.out);
    assert.strictEqual(log.version, '2.1.0');
    const results = log.runs[0].results as Array<{ ruleId: string; level: string; message: { text: string }; locations: Array<{ physicalLocation?: { artifactLocation: { uri: string }; region?: { startLine: number } } }> }>;
    assert.deepStrictEqual(results.map((r) => r.ruleId).sort(), ['range-hash-mismatch', 'review-missing']);
    const rangeResult = results.find((r) => r.ruleId === 'range-hash-mismatch')!;
    assert.strictEqual(rangeResult.locations[0].physicalLocation?.artifactLocation.uri, 'dir/a%2Cb.ts');
    assert.strictEqual(rangeResult.locations[0].physicalLocation?.region?.startLine, 1);
    // Every result has a physical location (GitHub rejects the whole file otherwise); the
    // review finding is anchored on the file with the AI lines.
    for (const res of results) assert.ok(res.locations[0].physicalLocation?.artifactLocation.uri, JSON.stringify(res));
    assert.strictEqual(results.find((x) => x.ruleId === 'review-missing')!.locations[0].physicalLocation?.artifactLocation.uri, 'dir/a%2Cb.ts');
    const ids = log.runs[0].tool.driver.rules.map((r: { id: string }) => r.id);
    for (const r of results) assert.ok(ids.includes(r.ruleId));

    const gh = await verify(repo, 'HEAD^..HEAD', '--format', 'github');
    assert.strictEqual(gh.code, 1);
    const short = c.sha.slice(0, 12);
    assert.ok(gh.out.includes(`::error file=dir/a%2Cb.ts,line=1,endLine=5,title=ai-provenance range-hash-mismatch (${short})::commit ${short}: dir/a,b.ts: committed text of AI lines 1-5`), gh.out);
    assert.match(gh.out, new RegExp(`^::error title=ai-provenance review-missing \\(${short}\\)::commit ${short}: change is flagged`, 'm'));
  });

  it('exits 2 with a clear message for usage and repository errors', async () => {
    cleanHistory(repo);
    let r = await verify(repo);
    assert.strictEqual(r.code, 2);
    assert.match(r.err, /missing <rev-range>/);
    r = await verify(repo, 'nope..HEAD');
    assert.strictEqual(r.code, 2);
    assert.match(r.err, /bad revision range 'nope\.\.HEAD'/);
    r = await verify(repo, 'HEAD', '--bogus');
    assert.strictEqual(r.code, 2);
    assert.match(r.err, /unknown option '--bogus'/);
    r = await verify(repo, 'HEAD', '--format', 'xml');
    assert.strictEqual(r.code, 2);
    const io = memoryIo(require('os').tmpdir());
    assert.strictEqual(await runCli(['verify', 'HEAD', '-C', require('path').join(repo.dir, 'no-such-dir')], io), 2);
    assert.match(io.stderr, /no such directory/);
    // A shallow clone cannot resolve the range: the message says why.
    const shallow = require('path').join(repo.dir, 'shallow');
    repo.git(['clone', '-q', '--depth', '1', `file://${repo.dir}`, shallow]);
    const io3 = memoryIo(shallow);
    assert.strictEqual(await runCli(['verify', 'HEAD~2..HEAD'], io3), 2);
    assert.match(io3.stderr, /bad revision range 'HEAD~2\.\.HEAD': .*\(this is a shallow clone: fetch the full history, e\.g\. actions\/checkout with fetch-depth: 0\)/);
    const io2 = memoryIo(repo.dir, { ...process.env, AI_PROVENANCE_GIT: '/nonexistent/git' });
    assert.strictEqual(await runCli(['verify', 'HEAD'], io2), 2);
    assert.match(io2.stderr, /git not found/);
  });

  it('fails a commit that reuses the trailers (and committed manifest) of an earlier commit', async () => {
    const { ai } = cleanHistory(repo);
    const msg = repo.git(['log', '-1', '--format=%B', ai]);
    repo.write('other.ts', 'export {};\n');
    repo.git(['add', 'other.ts']);
    const copy = repo.commit(msg.replace('Add parser', 'Unrelated change'));
    const { code, report } = await verifyJson(repo, 'HEAD^..HEAD');
    assert.strictEqual(code, 1);
    const f = report.commits[0].findings;
    assert.strictEqual(report.commits[0].sha, copy);
    assert.deepStrictEqual(f.map((x) => [x.rule, x.severity]), [['manifest-mismatch', 'error']]);
    assert.match(f[0].message, /was committed by an earlier commit/);
  });
});
