import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { LEGACY_WORD_ACCEPT_CONTEXT_KEY } from '../../src/core/classification/acceptKeybindings';

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
    const words = bindings.filter((b) => b.command === 'aiProvenance.acceptInlineSuggestionWord');
    assert.strictEqual(words.length, 2);
    // Today's rule (1.103 and later) and the rule of older hosts, which have no cursorBeforeGhostText;
    // the older one only where the extension found an older host.
    assert.ok(words.every((w) => w.key === 'ctrl+right' && w.when.includes('!editorReadonly && inlineSuggestionVisible')));
    assert.ok(words.some((w) => w.when.includes('cursorBeforeGhostText') && w.when.includes('!accessibilityModeEnabled') && !w.when.includes(LEGACY_WORD_ACCEPT_CONTEXT_KEY)));
    assert.ok(words.some((w) => !w.when.includes('cursorBeforeGhostText') && w.when.startsWith(`${LEGACY_WORD_ACCEPT_CONTEXT_KEY} && `)));
  });

  it('declares the lowest engine the extension is tested on, and types of that version', () => {
    assert.strictEqual(pkg.engines.vscode, '^1.90.0');
    assert.strictEqual(pkg.devDependencies['@types/vscode'], '1.90.0');
    assert.match(readme, /VS Code 1\.90 or later/);
  });
});
