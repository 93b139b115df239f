#!/usr/bin/env node
// Allow-lists an extension's API proposals in a host's product configuration, as VS Code Stable
// does for Copilot Chat: Stable's product.json has `extensionEnabledApiProposals`, a map from
// extension id to the proposals that extension may use, and the workbench grants a listed
// extension exactly those (ExtensionsProposedApi, extensionsProposedApi.ts) while every other
// extension's declared proposals are cleared. code-server's product configuration has no such map.
//
// The web workbench does not read product.json at run time: its product configuration is an
// object literal built into workbench.js (the server adds only a few fields of its own). So the
// entry goes into both: product.json (what the server reads) and that literal (what decides).
//
// Usage: node allow-proposals.js <vscode dir (lib/vscode)> <extension package.json>
// Adds `"<publisher>.<name>": [<its enabledApiProposals>]` where missing or different, prints what
// it changed, and exits 1 when the entry is not in place afterwards. Changes nothing when it is.
'use strict';
const fs = require('fs');
const path = require('path');

const [vscodeDir, extensionManifest] = process.argv.slice(2);
if (!vscodeDir || !fs.existsSync(vscodeDir) || !extensionManifest || !fs.existsSync(extensionManifest)) {
  console.error('usage: allow-proposals.js <vscode dir> <extension package.json>');
  process.exit(1);
}

const pkg = JSON.parse(fs.readFileSync(extensionManifest, 'utf8'));
const id = `${pkg.publisher}.${pkg.name}`;
const proposals = pkg.enabledApiProposals;
if (!Array.isArray(proposals) || proposals.length === 0) {
  console.error(`allow-proposals: ${extensionManifest} declares no enabledApiProposals`);
  process.exit(1);
}

function replaceFile(file, text) {
  // A new file renamed over the old one: breaks a hard link to the original host, and a server
  // that serves the file meanwhile sees the old or the new one, never half of it.
  const tmp = `${file}.allow-proposals.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
  // Compressed copies served instead of the file would keep the old configuration.
  for (const ext of ['.gz', '.br']) fs.rmSync(file + ext, { force: true });
}

const same = (a) => Array.isArray(a) && a.length === proposals.length && a.every((p, i) => p === proposals[i]);
let failures = 0;

// 1. product.json
const productFile = path.join(vscodeDir, 'product.json');
const product = JSON.parse(fs.readFileSync(productFile, 'utf8'));
if (!same(product.extensionEnabledApiProposals?.[id])) {
  product.extensionEnabledApiProposals = { ...product.extensionEnabledApiProposals, [id]: proposals };
  replaceFile(productFile, `${JSON.stringify(product, null, '\t')}\n`);
  console.log(`product.json: ${id} may use ${proposals.join(', ')}`);
}
if (!same(JSON.parse(fs.readFileSync(productFile, 'utf8')).extensionEnabledApiProposals?.[id])) {
  console.error('allow-proposals: product.json lacks the entry');
  failures++;
}

// 2. The product configuration built into the web workbench.
const workbench = path.join(vscodeDir, 'out', 'vs', 'code', 'browser', 'workbench', 'workbench.js');
const entry = `extensionEnabledApiProposals:${JSON.stringify({ [id]: proposals })},`;
// The built-in product literal (`X={nameShort:"code-server",nameLong:...}`), found once.
const literal = /([A-Za-z_$][\w$]*=\{)(extensionEnabledApiProposals:\{[^{}]*\},)?(nameShort:"code-server",nameLong:"code-server",)/g;
let wb = fs.readFileSync(workbench, 'utf8');
const found = [...wb.matchAll(literal)];
if (found.length !== 1) {
  console.error(`allow-proposals: expected one built-in product configuration in workbench.js, found ${found.length}`);
  failures++;
} else if (found[0][2] !== entry) {
  const m = found[0];
  wb = wb.slice(0, m.index) + m[1] + entry + m[3] + wb.slice(m.index + m[0].length);
  replaceFile(workbench, wb);
  console.log(`workbench.js: built-in product configuration lets ${id} use ${proposals.join(', ')}`);
}
const after = [...fs.readFileSync(workbench, 'utf8').matchAll(literal)];
if (after.length !== 1 || after[0][2] !== entry) {
  console.error('allow-proposals: workbench.js lacks the entry');
  failures++;
}
process.exit(failures ? 1 : 0);
