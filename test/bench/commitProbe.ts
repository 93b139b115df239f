/**
 * Run by run.ts (via commitBench.ts) in a fresh process per sample:
 * `node out/bench/commitProbe.js <repo> <ranges.json>`. Warms the code paths up without reading
 * any blob of the repository (so git's output is not yet cached in this process), then times one
 * staged-change summary (cold) and two more (warm). Prints `BENCH_RESULT <json>`.
 */
import * as fs from 'fs';
import { computeFileContribution } from '../../src/core/contribution/contribution';
import { AiRange } from '../../src/core/contribution/mapRanges';
import { DEFAULT_POLICY } from '../../src/core/policy/policy';
import { resolveCommit } from '../../src/git/git';
import { measureOnce } from './commitBench';
import { makeText } from './session';
import { Rng } from './stats';

async function main(): Promise<void> {
  const [root, rangesFile] = process.argv.slice(2);
  const ranges = new Map<string, AiRange[]>(JSON.parse(fs.readFileSync(rangesFile, 'utf8')) as [string, AiRange[]][]);
  // Warm-up: the contribution counting on synthetic texts, and one git call that reads no blob.
  const rng = new Rng(9);
  for (let i = 0; i < 30; i++) {
    const base = Array.from({ length: 200 }, () => makeText(rng, 40).replace(/\n/g, ' ')).join('\n') + '\n';
    const added = makeText(rng, 400);
    const text = base.slice(0, 2000) + added + base.slice(2000);
    computeFileContribution({ added: 'every-line', text, ranges: [{ start: 2000, end: 2000 + added.length, text: added, origin: { kind: 'inline', tool: 't', timestamp: 0 } }], trivial: DEFAULT_POLICY.trivial });
  }
  await resolveCommit(root, 'HEAD');
  const cold = await measureOnce(root, ranges);
  const warm = [await measureOnce(root, ranges), await measureOnce(root, ranges)];
  process.stdout.write(`BENCH_RESULT ${JSON.stringify({ cold, warm })}\n`);
}

main().catch((e) => {
  process.stdout.write(`BENCH_RESULT ${JSON.stringify({ error: e instanceof Error ? e.stack ?? e.message : String(e) })}\n`);
});
