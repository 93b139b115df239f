// The Marketplace package: what `vsce` would put in the .vsix, and the manifest entries that
// point into it (icon, walkthrough pages, webview files).
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** Files `vsce ls` lists for the package (run from the repository). */
function packagedFiles(): string[] {
  const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  const r = spawnSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: ROOT, encoding: 'utf8', timeout: 60000 });
  assert.strictEqual(r.status, 0, `vsce ls failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('npm warn'))
    .sort();
}

describe('views: package contents', function () {
  this.timeout(60000);
  let files: string[] = [];

  before(function () {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'extension.js'))) this.skip();
    files = packagedFiles();
  });

  it('holds only what runs: the bundles, media, README, CHANGELOG, LICENSE and the manifest', () => {
    const allowed = [/^dist\/(extension|cli|cli-main)\.js$/, /^media\/(report\.js|report\.css|icon\.png|gutter-ai\.svg|gutter-ai-committed\.svg)$/, /^media\/walkthrough\/[\w-]+\.md$/, /^(package\.json|README\.md|CHANGELOG\.md|LICENSE)$/];
    const stray = files.filter((f) => !allowed.some((re) => re.test(f)));
    assert.deepStrictEqual(stray, [], 'files that should not be packaged');
    // dist/cli.js is what the installed hooks run, and it loads dist/cli-main.js.
    for (const f of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'dist/extension.js', 'dist/cli.js', 'dist/cli-main.js', 'media/report.js', 'media/report.css', 'media/icon.png', 'media/gutter-ai.svg', 'media/gutter-ai-committed.svg']) {
      assert.ok(files.includes(f), `${f} is not packaged`);
    }
  });

  it('packages every file the manifest points to', () => {
    const referenced = [pkg.icon, pkg.main.replace(/^\.\//, '')];
    for (const w of pkg.contributes.walkthroughs) for (const s of w.steps) referenced.push(s.media.markdown ?? s.media.image);
    for (const f of referenced) assert.ok(files.includes(f), `${f} (named in package.json) is not packaged`);
  });

  it('has a 128x128 PNG icon, a repository and engines.vscode ^1.90.0 (the oldest tested host)', () => {
    const png = fs.readFileSync(path.join(ROOT, pkg.icon));
    assert.strictEqual(png.subarray(1, 4).toString('ascii'), 'PNG');
    assert.strictEqual(png.subarray(12, 16).toString('ascii'), 'IHDR');
    assert.deepStrictEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
    assert.match(pkg.repository.url, /^https:\/\/github\.com\/[\w-]+\/[\w-]+$/);
    assert.strictEqual(pkg.engines.vscode, '^1.90.0');
  });

  it('contributes the view commands, settings and colours it uses', () => {
    const commands = pkg.contributes.commands.map((c: { command: string }) => c.command);
    for (const c of ['aiProvenance.showReport', 'aiProvenance.toggleDecorations', 'aiProvenance.toggleBlame']) assert.ok(commands.includes(c), c);
    const settings = Object.keys(pkg.contributes.configuration.properties);
    for (const s of ['enabled', 'gutterIcon', 'overviewRuler', 'highlightText', 'hover']) assert.ok(settings.includes(`aiProvenance.decorations.${s}`), s);
    const colours = pkg.contributes.colors.map((c: { id: string }) => c.id).sort();
    assert.ok(settings.includes('aiProvenance.blame.enabled'));
    assert.deepStrictEqual(colours, ['aiProvenance.aiGutter', 'aiProvenance.aiLineBackground', 'aiProvenance.aiTextBackground', 'aiProvenance.committedOverviewRuler', 'aiProvenance.overviewRuler']);
    const source = ['decorations.ts', 'commitBlame.ts'].map((f) => fs.readFileSync(path.join(ROOT, 'src', 'views', f), 'utf8')).join('\n');
    for (const id of colours) assert.ok(source.includes(`'${id}'`), `${id} is contributed but not used`);
  });
});
