import * as assert from 'assert';
import { chooseInlineTool, forkWithOwnInlineProvider, GENERIC_INLINE_TOOL } from '../../../../src/core/classification/inlineToolChoice';

describe('inline tool choice', () => {
  it('on VS Code names the one active inline extension, otherwise the generic name', () => {
    assert.strictEqual(chooseInlineTool('Visual Studio Code', ['github.copilot']), 'github.copilot');
    assert.strictEqual(chooseInlineTool('code-server', ['github.copilot', 'github.copilot']), 'github.copilot');
    assert.strictEqual(chooseInlineTool('VSCodium', ['github.copilot', 'codeium.codeium']), GENERIC_INLINE_TOOL);
    assert.strictEqual(chooseInlineTool('Visual Studio Code', []), GENERIC_INLINE_TOOL);
  });

  it('on a fork with its own inline completion names the fork, and never guesses an extension', () => {
    assert.strictEqual(forkWithOwnInlineProvider('Cursor'), 'cursor');
    assert.strictEqual(forkWithOwnInlineProvider('Windsurf - Next'), 'windsurf');
    assert.strictEqual(forkWithOwnInlineProvider('VSCodium'), undefined);
    assert.strictEqual(forkWithOwnInlineProvider('Visual Studio Code'), undefined);
    assert.strictEqual(chooseInlineTool('Cursor', []), 'cursor (built-in)');
    assert.strictEqual(chooseInlineTool('Windsurf', ['codeium.codeium']), GENERIC_INLINE_TOOL);
    assert.strictEqual(chooseInlineTool('Trae', ['github.copilot']), GENERIC_INLINE_TOOL);
  });
});
