/**
 * What `dist/cli.js` runs: loads the command-line program (`dist/cli-main.js`, built from
 * main.ts) with a V8 code cache (codeCache.ts) and starts it. Kept tiny: it is compiled anew in
 * every process, like any file without a cache.
 *
 * `AI_PROVENANCE_CODE_CACHE=<folder>` keeps the cache there, `AI_PROVENANCE_CODE_CACHE=off` runs
 * without one.
 */
import * as os from 'os';
import * as path from 'path';
import { cacheVariant } from './cacheVariant';
import { codeCacheDir, loadWithCodeCache } from './codeCache';

const program = loadWithCodeCache(path.join(__dirname, 'cli-main.js'), codeCacheDir(process.env, process.platform, os.homedir()), cacheVariant(process.argv.slice(2)));
process.once('exit', () => program.save());
(program.exports as { start(): void }).start();
