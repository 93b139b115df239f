import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '../../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

describe('package manifest', () => {
  it('declares no API proposals (the Marketplace refuses them)', () => {
    assert.strictEqual(pkg.enabledApiProposals, undefined);
  });

  it('gives every setting a title and a description, and the README documents it', () => {
    for (const [key, value] of Object.entries<Record<string, unknown>>(pkg.contributes.configuration.properties)) {
      assert.ok(key.startsWith('aiProvenance.'), key);
      assert.ok(value.title, `${key} has no title`);
      assert.ok(value.markdownDescription || value.description, `${key} has no description`);
      assert.ok(readme.includes(`\`${key}\``), `README does not document ${key}`);
    }
  });

  it('puts every command under the AI Provenance category', () => {
    for (const c of pkg.contributes.commands) assert.strictEqual(c.category, 'AI Provenance', c.command);
  });

  it('mirrors VS Code accept bindings only while a suggestion is visible', () => {
    const bindings: { key: string; command: string; when: string }[] = pkg.contributes.keybindings;
    const tab = bindings.filter((b) => b.key === 'tab');
    assert.strictEqual(tab.length, 2);
    assert.ok(tab.some((b) => b.when.includes('inlineSuggestionVisible') && b.when.includes('!suggestWidgetVisible')));
    assert.ok(tab.some((b) => b.when.includes('inlineEditIsVisible') && b.when.includes('tabShouldAcceptInlineEdit')));
    const word = bindings.find((b) => b.command === 'aiProvenance.acceptInlineSuggestionWord');
    assert.ok(word && word.key === 'ctrl+right' && word.when.includes('cursorBeforeGhostText'));
  });
});
