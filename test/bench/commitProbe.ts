/**
 * Run by run.ts (via commitBench.ts) in a fresh process per sample:
 * `node out/bench/commitProbe.js <repo> <ranges.json> <commands.json>`. Warms the code paths up
 * without reading any blob of the repository (so git's output is not yet cached in this process),
 * then times one staged-change summary (cold; its git processes are written to commands.json) and
 * ten more (warm; each followed by its git processes run again alone, see replayGitAlone).
 * Prints `BENCH_RESULT <json>`. `node out/bench/commitProbe.js --alone <repo> <ranges.json>
 * <commands.json>` prepares the same way, then replays the cold summary's git processes alone.
 */
import * as fs from 'fs';
import { computeFileContribution } from '../../src/core/contribution/contribution';
import { AiRange } from '../../src/core/contribution/mapRanges';
import { DEFAULT_POLICY } from '../../src/core/policy/policy';
import { resolveCommit } from '../../src/git/git';
import { loadRecorded, measureOnce, replayGitAlone, saveRecorded } from './commitBench';
import { makeText } from './session';
import { Rng } from './stats';

/** Warm summaries per process (one slow sample must not decide the median). */
const WARM_SAMPLES = 10;

async function main(): Promise<void> {
  const alone = process.argv[2] === '--alone';
  const [root, rangesFile, commandsFile] = process.argv.slice(alone ? 3 : 2);
  // A trailing `--prime` (a run whose only use is to write the code cache, see commitBench.ts) is ignored.
  // The same preparation in both modes, so that both processes hold the same heap when they start
  // git (starting a process costs more in a larger one): the ranges, and a warm-up of the
  // contribution counting on synthetic texts and of one git call that reads no blob.
  const ranges = new Map<string, AiRange[]>(JSON.parse(fs.readFileSync(rangesFile, 'utf8')) as [string, AiRange[]][]);
  const rng = new Rng(9);
  for (let i = 0; i < 30; i++) {
    const base = Array.from({ length: 200 }, () => makeText(rng, 40).replace(/\n/g, ' ')).join('\n') + '\n';
    const added = makeText(rng, 400);
    const text = base.slice(0, 2000) + added + base.slice(2000);
    computeFileContribution({ added: 'every-line', text, ranges: [{ start: 2000, end: 2000 + added.length, text: added, origin: { kind: 'inline', tool: 't', timestamp: 0 } }], trivial: DEFAULT_POLICY.trivial });
  }
  await resolveCommit(root, 'HEAD');
  if (alone) {
    // The git processes of a cold summary (written by a summary probe), replayed alone.
    loadRecorded(commandsFile);
    process.stdout.write(`BENCH_RESULT ${JSON.stringify({ aloneMs: await replayGitAlone(), heldRanges: ranges.size })}\n`);
    return;
  }
  const cold = await measureOnce(root, ranges);
  saveRecorded(commandsFile);
  const warm = [];
  for (let i = 0; i < WARM_SAMPLES; i++) warm.push({ ...(await measureOnce(root, ranges)), gitAloneMs: await gitAlone() });
  process.stdout.write(`BENCH_RESULT ${JSON.stringify({ cold, warm })}\n`);
}

/** The median of three replays of the last summary's git processes, alone. */
async function gitAlone(): Promise<number> {
  const runs = [await replayGitAlone(), await replayGitAlone(), await replayGitAlone()];
  return runs.sort((a, b) => a - b)[1];
}

main().catch((e) => {
  process.stdout.write(`BENCH_RESULT ${JSON.stringify({ error: e instanceof Error ? e.stack ?? e.message : String(e) })}\n`);
});
