import * as assert from 'assert';
import { hasLegacyWordAcceptBinding } from '../../../../src/core/classification/acceptKeybindings';

describe('accept keybindings of a host', () => {
  it('knows hosts before 1.103 bind Ctrl+Right without cursorBeforeGhostText', () => {
    for (const v of ['1.90.0', '1.90.2', '1.99.3', '1.100.3', '1.102.9', '0.9.0']) assert.strictEqual(hasLegacyWordAcceptBinding(v), true, v);
    for (const v of ['1.103.0', '1.103.2', '1.105.1', '1.139.1', '1.140.0-insider', '2.0.0', '2.1.0']) assert.strictEqual(hasLegacyWordAcceptBinding(v), false, v);
  });

  it('treats an unreadable version as today\'s VS Code', () => {
    for (const v of ['', 'insider', 'v1.90.0']) assert.strictEqual(hasLegacyWordAcceptBinding(v), false, JSON.stringify(v));
  });
});
