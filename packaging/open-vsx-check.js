#!/usr/bin/env node
// Checks, offline, that a packaged .vsix is one Open VSX accepts, so that `npm run package`
// fails here rather than at `ovsx publish`. Reads the package with ovsx's own reader and runs
// ovsx's own manifest check, then the registry's rules for what it stores
// (packaging/open-vsx-rules.js).
//
// Usage: node packaging/open-vsx-check.js <file.vsix>   (exit 0 valid, 1 invalid, 2 usage)
'use strict';

const { openVsxIssues, LICENSE_FILE } = require('./open-vsx-rules');

async function main(argv) {
  const vsix = argv[0];
  if (!vsix || argv.length > 1) {
    console.error('usage: node packaging/open-vsx-check.js <file.vsix>');
    return 2;
  }
  const ovsx = require('ovsx');
  const { readVSIXPackage, readZip } = require('ovsx/lib/zip');
  let manifest;
  let files;
  try {
    manifest = await readVSIXPackage(vsix);
    // Only the names of licence files matter here (readZip reads what the filter lets through).
    files = [...(await readZip(vsix, (name) => LICENSE_FILE.test(name))).keys()];
  } catch (err) {
    console.error(`open-vsx-check: cannot read ${vsix}: ${err && err.message ? err.message : err}`);
    return 1;
  }
  const issues = [];
  try {
    ovsx.validateManifest(manifest);
  } catch (err) {
    issues.push(err.message);
  }
  issues.push(...openVsxIssues(manifest, files));
  if (issues.length) {
    console.error(`open-vsx-check: ${vsix} would be refused by Open VSX:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    return 1;
  }
  console.log(`open-vsx-check: ${manifest.publisher}.${manifest.name} ${manifest.version} is valid for Open VSX (namespace "${manifest.publisher}")`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err) => {
      console.error(`open-vsx-check: ${err && err.message ? err.message : err}`);
      process.exitCode = 1;
    },
  );
}

