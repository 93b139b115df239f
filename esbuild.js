// Build script: bundles the extension and the command-line entry into dist/,
// and the test and benchmark entry points into out/ (one bundle per file).
'use strict';
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');

/** All files under `dir` (relative to the repo) whose names end with one of `suffixes`. */
function findEntries(dir, suffixes) {
  const out = [];
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'fixtures') out.push(...findEntries(full, suffixes));
    } else if (suffixes.some((s) => entry.name.endsWith(s))) {
      out.push(full);
    }
  }
  return out;
}

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
  external: ['vscode'],
};

async function build() {
  const jobs = [];
  jobs.push({
    ...common,
    entryPoints: { extension: 'src/extension.ts' },
    outdir: 'dist',
    minify: production,
    sourcemap: !production,
    metafile: true,
  });
  if (fs.existsSync('src/cli/main.ts')) {
    jobs.push({
      ...common,
      entryPoints: { 'cli-main': 'src/cli/main.ts' },
      outdir: 'dist',
      minify: production,
      sourcemap: !production,
    });
    // dist/cli.js: loads dist/cli-main.js with a code cache (src/cli/launcher.ts).
    jobs.push({
      ...common,
      entryPoints: { cli: 'src/cli/launcher.ts' },
      outdir: 'dist',
      minify: production,
      sourcemap: !production,
      banner: { js: '#!/usr/bin/env node' },
    });
  }
  if (args.has('--tests')) {
    const entries = [
      ...findEntries('test/unit', ['.test.ts']),
      ...findEntries('test/integration', ['.ts']),
      ...findEntries('test/e2e', ['.ts']),
    ];
    if (entries.length) {
      jobs.push({ ...common, entryPoints: entries, outbase: '.', outdir: 'out', sourcemap: 'inline', external: ['vscode', 'mocha', 'playwright-core'] });
    }
  }
  if (args.has('--bench')) {
    jobs.push({ ...common, entryPoints: findEntries('test/bench', ['.ts']), outbase: 'test', outdir: 'out', minify: true });
  }
  if (watch) {
    for (const job of jobs) (await esbuild.context(job)).watch();
    return;
  }
  const results = await Promise.all(jobs.map((job) => esbuild.build(job)));
  const meta = results[0].metafile;
  if (production && meta) {
    const size = fs.statSync('dist/extension.js').size;
    console.log(`dist/extension.js: ${(size / 1024).toFixed(1)} KB`);
  }
}

build().catch((err) => {
  console.error(err.message || err);
  process.exit(1);
});
