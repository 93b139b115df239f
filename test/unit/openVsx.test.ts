import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { openVsxIssues } = require('../../packaging/open-vsx-rules.js') as { openVsxIssues: (m: Record<string, unknown>, files: string[]) => string[] };

const root = path.resolve(__dirname, '../../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('Open VSX package check', () => {
  it('accepts our package.json with its LICENSE file, and the licence field alone', () => {
    assert.deepStrictEqual(openVsxIssues(pkg, ['extension/license']), []);
    assert.deepStrictEqual(openVsxIssues(pkg, []), []);
  });

  it('refuses an unlicensed package, a bad namespace or name, a reserved version, bad URLs and oversized fields', () => {
    const bad = (patch: Record<string, unknown>, files: string[] = []): string => openVsxIssues({ ...pkg, ...patch }, files).join('\n');
    assert.match(bad({ license: undefined }), /license: none/);
    assert.strictEqual(bad({ license: undefined }, ['extension/LICENSE.md']), '');
    assert.match(bad({ publisher: 'ai provenance' }), /publisher \(the Open VSX namespace\): "ai provenance"/);
    assert.match(bad({ publisher: undefined }), /publisher .*missing/);
    assert.match(bad({ name: 'ai/provenance' }), /name: "ai\/provenance"/);
    assert.match(bad({ version: 'latest' }), /reserved/);
    assert.match(bad({ version: '1.0.0 beta' }), /version: .* character/);
    assert.match(bad({ engines: {} }), /engines\.vscode: missing/);
    assert.match(bad({ homepage: 'not a url' }), /homepage: "not a url" is not a URL/);
    assert.match(bad({ repository: { type: 'git', url: 'git+ssh' } }), /repository/);
    assert.strictEqual(bad({ repository: { type: 'git', url: 'git+https://example.com/x.git' } }), '');
    assert.match(bad({ description: 'x'.repeat(2049) }), /description: longer than 2048/);
    assert.match(bad({ displayName: 'a\u0007b' }), /displayName: contains a control/);
    assert.match(bad({ galleryBanner: { color: '#1e1b2e', theme: 'blue' } }), /galleryBanner\.theme/);
  });
});
