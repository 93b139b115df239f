// Capture of text that arrives from disk in a real VS Code, on both hosts.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { AiProvenanceApi } from '../../src/api';
import { EXTENSION_ID, closeAllEditors, hostTag, openScratchFile, sleep, waitFor } from './support/host';

async function api(): Promise<AiProvenanceApi> {
  return (await vscode.extensions.getExtension<AiProvenanceApi>(EXTENSION_ID)!.activate()) as AiProvenanceApi;
}

describe(`disk capture ${hostTag()}`, function () {
  this.timeout(90_000);

  afterEach(async () => {
    await closeAllEditors();
  });

  it(`a file changed on disk while open and clean is reloaded as unknown, never AI or human ${hostTag()}`, async () => {
    const a = await api();
    const editor = await openScratchFile('disk.js', 'const a = 1;\n');
    const doc = editor.document;
    const added = 'const fromOutside = computeElsewhere();\n';
    fs.writeFileSync(doc.uri.fsPath, 'const a = 1;\n' + added);
    await waitFor(() => doc.getText().includes('fromOutside'), 10_000, 'the editor did not reload the file');
    await sleep(300);
    const ranges = a.getRanges(doc.uri);
    assert.deepStrictEqual(ranges.map((r) => [doc.getText(r.range), r.kind]), [[added, 'unknown']]);
    assert.strictEqual(a.getFileShare(doc.uri)?.aiLines, 0);
  });
});
