/**
 * Runs the commit probe the way dist/cli.js runs the command-line program (src/cli/launcher.ts):
 * loaded with a V8 code cache. `node out/bench/cachedProbe.js <cache folder | off> <probe.js>
 * <probe arguments...>`. Prints `CODE_CACHE <state>` (used, absent, rejected, off) on stderr,
 * and writes the cache when the run ends, as the launcher does.
 */
import { loadWithCodeCache } from '../../src/cli/codeCache';

const [cacheDir, probe] = process.argv.splice(2, 2);
const variant = process.argv.includes('--alone') ? 'probe-alone' : 'probe';
const loaded = loadWithCodeCache(probe, cacheDir === 'off' ? undefined : cacheDir, variant);
process.stderr.write(`CODE_CACHE ${loaded.state}\n`);
process.once('exit', () => loaded.save());
