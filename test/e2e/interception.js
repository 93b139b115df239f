// The packaged extension without its accept-interception keybindings: a copy of the .vsix whose
// extension/package.json has no `contributes.keybindings` entry for our accept commands
// (aiProvenance.acceptInlineSuggestion*). Everything else in the package is left as it was. On a
// stock host (VS Code Stable) these keybindings are the only way an accepted inline suggestion
// is recognised, so the e2e accept scenarios must fail with this copy installed.
'use strict';
const fs = require('fs');
const path = require('path');

const ACCEPT_COMMAND_PREFIX = 'aiProvenance.acceptInlineSuggestion';
const MANIFEST_ENTRY = 'extension/package.json';

/** yauzl and yazl are the zip libraries of @vscode/vsce (a devDependency); load them from there. */
function zipLibs() {
  const vsceDir = path.dirname(require.resolve('@vscode/vsce/package.json'));
  const load = (name) => require(require.resolve(name, { paths: [vsceDir] }));
  return { yauzl: load('yauzl'), yazl: load('yazl') };
}

function isAcceptBinding(kb) {
  return kb && typeof kb.command === 'string' && kb.command.startsWith(ACCEPT_COMMAND_PREFIX);
}

/** Every entry of a zip: { entry, data } (data undefined for directory entries). */
async function readZip(file) {
  const { yauzl } = zipLibs();
  const zip = await yauzl.openPromise(file);
  const out = [];
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('/')) {
        out.push({ entry });
        continue;
      }
      const stream = await zip.openReadStreamPromise(entry);
      const chunks = [];
      for await (const c of stream) chunks.push(c);
      out.push({ entry, data: Buffer.concat(chunks) });
    }
  } finally {
    zip.close();
  }
  return out;
}

async function writeZip(file, entries) {
  const { yazl } = zipLibs();
  const zip = new yazl.ZipFile();
  for (const { entry, data } of entries) {
    const mtime = entry.getLastModDate();
    if (data === undefined) zip.addEmptyDirectory(entry.fileName, { mtime });
    else zip.addBuffer(data, entry.fileName, { mtime, compress: entry.compressionMethod !== 0 });
  }
  zip.end();
  await new Promise((resolve, reject) => {
    const out = fs.createWriteStream(file);
    zip.outputStream.on('error', reject);
    out.on('error', reject);
    out.on('close', resolve);
    zip.outputStream.pipe(out);
  });
}

/** The accept keybindings the package.json text of a .vsix contributes. */
function acceptBindings(manifestText) {
  const pkg = JSON.parse(manifestText);
  return ((pkg.contributes && pkg.contributes.keybindings) || []).filter(isAcceptBinding);
}

/**
 * Writes to `dest` a copy of the .vsix `src` without the accept-interception keybindings.
 * Throws when the package has none (the check would prove nothing) or when the copy still has
 * some. Returns the removed bindings as "key -> command" strings.
 */
async function vsixWithoutInterception(src, dest) {
  const entries = await readZip(src);
  const manifest = entries.find((e) => e.entry.fileName === MANIFEST_ENTRY);
  if (!manifest) throw new Error(`${src} has no ${MANIFEST_ENTRY}`);
  const pkg = JSON.parse(manifest.data.toString('utf8'));
  const bindings = (pkg.contributes && pkg.contributes.keybindings) || [];
  const removed = bindings.filter(isAcceptBinding);
  if (removed.length === 0) throw new Error(`${src}: package.json contributes no keybinding for ${ACCEPT_COMMAND_PREFIX}*; nothing to remove`);
  pkg.contributes.keybindings = bindings.filter((kb) => !isAcceptBinding(kb));
  manifest.data = Buffer.from(JSON.stringify(pkg, null, 2) + '\n', 'utf8');
  await writeZip(dest, entries);
  const check = (await readZip(dest)).find((e) => e.entry.fileName === MANIFEST_ENTRY);
  const left = check ? acceptBindings(check.data.toString('utf8')) : ['(no package.json)'];
  if (left.length) throw new Error(`${dest} still contributes accept keybindings: ${JSON.stringify(left)}`);
  return removed.map((kb) => `${kb.key} -> ${kb.command}${kb.args ? ` ${JSON.stringify(kb.args)}` : ''}`);
}

module.exports = { vsixWithoutInterception, acceptBindings, readZip, ACCEPT_COMMAND_PREFIX };
