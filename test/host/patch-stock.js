#!/usr/bin/env node
// Turns a copy of code-server's VS Code into a "stock" host, as VS Code Stable behaves for a
// Marketplace extension: proposed APIs only for extensions that declare them and are allowed to.
// code-server's build grants them to every extension in two places, both patched here:
//   1. the workbench:      `_envEnablesProposedApiForAll=!0`      -> `!1`
//   2. the extension host: `function N(a,b){return!0}`, the isProposedApiEnabled check that
//      `onDidChangeTextDocument` consults (`N(ext,"textDocumentChangeReason")`), -> the real check.
// Usage: node patch-stock.js <vscode out dir>; prints what it changed, exits 1 when a patch
// could not be applied or verified.
'use strict';
const fs = require('fs');
const path = require('path');

const outDir = process.argv[2];
if (!outDir || !fs.existsSync(outDir)) {
  console.error(`patch-stock: no such directory: ${outDir}`);
  process.exit(1);
}

function replaceFile(file, text) {
  // Break a hard link to the original host before writing.
  fs.rmSync(file, { force: true });
  fs.writeFileSync(file, text);
  for (const ext of ['.gz', '.br']) fs.rmSync(file + ext, { force: true });
}

let failures = 0;
const workbench = path.join(outDir, 'vs/code/browser/workbench/workbench.js');
let wb = fs.readFileSync(workbench, 'utf8');
if (wb.includes('_envEnablesProposedApiForAll=!0')) {
  wb = wb.split('_envEnablesProposedApiForAll=!0').join('_envEnablesProposedApiForAll=!1');
  replaceFile(workbench, wb);
  console.log('patched workbench: proposed APIs no longer enabled for all extensions');
}
if (wb.includes('_envEnablesProposedApiForAll=!0') || !wb.includes('_envEnablesProposedApiForAll=!1')) {
  console.error('patch-stock: workbench flag not off');
  failures++;
}

for (const rel of ['vs/workbench/api/node/extensionHostProcess.js', 'vs/workbench/api/worker/extensionHostWorkerMain.js']) {
  const file = path.join(outDir, rel);
  if (!fs.existsSync(file)) continue;
  let text = fs.readFileSync(file, 'utf8');
  const use = /([A-Za-z_$][\w$]*)\([A-Za-z_$][\w$]*,"textDocumentChangeReason"\)/.exec(text);
  if (!use) {
    console.error(`patch-stock: ${rel}: no isProposedApiEnabled call for textDocumentChangeReason found`);
    failures++;
    continue;
  }
  const name = use[1].replace(/\$/g, '\\$');
  const always = new RegExp(`function ${name}\\(([A-Za-z_$][\\w$]*),([A-Za-z_$][\\w$]*)\\)\\{return!0\\}`);
  const m = always.exec(text);
  if (m) {
    const [whole, ext, proposal] = m;
    const real = `function ${use[1]}(${ext},${proposal}){return!!(${ext}.enabledApiProposals&&${ext}.enabledApiProposals.includes(${proposal}))}`;
    text = text.replace(whole, real);
    replaceFile(file, text);
    console.log(`patched ${rel}: ${use[1]}() checks the extension's declared API proposals`);
  }
  if (always.test(text) || !text.includes(`function ${use[1]}(`) || !text.includes('.enabledApiProposals.includes(')) {
    console.error(`patch-stock: ${rel}: proposed API check still grants everything`);
    failures++;
  }
}
process.exit(failures ? 1 : 0);
