import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runCli } from '../../../src/cli/main';
import { memoryIo } from '../../../src/cli/io';
import { parseRepositoryPolicy } from '../../../src/core/policy/policy';
import { TempRepo, commitPolicy, commitWithProvenance, lines } from './fixture';

const ROOT = path.resolve(__dirname, '../../../..');
const WORKFLOW = path.join(ROOT, 'examples/github-actions/ai-provenance.yml');

/** The `npx ai-provenance ...` command lines of the example workflow, as argument lists. */
function workflowCommands(): string[][] {
  const text = fs.readFileSync(WORKFLOW, 'utf8');
  const cmds: string[][] = [];
  for (const line of text.split('\n')) {
    if (line.trimStart().startsWith('#')) continue;
    const i = line.indexOf('npx ai-provenance ');
    if (i < 0) continue;
    const cmd = line.slice(i + 'npx ai-provenance '.length).replace(/\s*\|\|.*$/, '').trim();
    cmds.push(cmd.split(/\s+/));
  }
  return cmds;
}

describe('examples', function () {
  this.timeout(30000);

  it('the example policy and groups file are accepted', () => {
    const p = parseRepositoryPolicy(fs.readFileSync(path.join(ROOT, 'examples/ai-provenance.json'), 'utf8'));
    assert.ok(p.ok, JSON.stringify(p));
    const groups = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/groups.json'), 'utf8'));
    const seniors = p.ok ? p.value.review?.reviewers?.senior : undefined;
    assert.ok(seniors && seniors.groups.every((g) => Array.isArray(groups[g])), 'every policy group is defined in groups.json');
  });

  it('the workflow fetches full history and notes and runs commands the CLI accepts', async () => {
    const text = fs.readFileSync(WORKFLOW, 'utf8');
    assert.match(text, /fetch-depth: 0/);
    assert.match(text, /git fetch [^\n]*'\+refs\/notes\/ai-provenance:refs\/notes\/ai-provenance'/);
    const cmds = workflowCommands();
    assert.ok(cmds.some((c) => c.join(' ').startsWith('verify origin/main..HEAD --format github')), JSON.stringify(cmds));
    assert.strictEqual(cmds.length, 3);

    const repo = TempRepo.create();
    try {
      commitPolicy(repo);
      repo.git(['update-ref', 'refs/remotes/origin/main', 'HEAD']);
      commitWithProvenance(repo, { subject: 'AI change without review', files: { 'a.ts': lines(5) }, ai: { 'a.ts': [{ start: 1, end: 5 }] } });
      for (const args of cmds) {
        const io = memoryIo(repo.dir);
        const code = await runCli(args, io);
        assert.ok(!io.stderr.includes('unknown option') && code !== 2, `${args.join(' ')}: ${io.stderr}`);
        if (args[0] === 'verify') assert.strictEqual(code, 1, `${args.join(' ')} fails the unreviewed change`);
      }
      assert.ok(fs.existsSync(path.join(repo.dir, 'ai-provenance.sarif')));
    } finally {
      repo.cleanup();
    }
  });
});
