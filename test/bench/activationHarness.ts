/**
 * MEASUREMENT HARNESS, not a test: loads the extension bundle in a fresh Node process with the
 * minimal `vscode` stand-in from vscodeMock.ts and times module loading and `activate()`.
 * Run by run.ts once per sample: `node out/bench/activationHarness.js <bundle> <extensionRoot>`.
 * Prints one line `BENCH_RESULT <json>`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { createExtensionContext, createVscodeMock, touched } from './vscodeMock';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Module = require('module') as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };

async function main(): Promise<void> {
  const bundle = path.resolve(process.argv[2] ?? 'dist/extension.js');
  const root = path.resolve(process.argv[3] ?? '.');
  const vscode = createVscodeMock(root);
  const originalLoad = Module._load;
  Module._load = function (request: string, parent: unknown, isMain: boolean) {
    if (request === 'vscode') return vscode;
    return originalLoad.call(this, request, parent, isMain);
  };
  const context = createExtensionContext(vscode, root);
  const ms = (a: bigint, b: bigint): number => Number(b - a) / 1e6;

  const t0 = process.hrtime.bigint();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ext = require(bundle) as { activate?: (ctx: unknown) => unknown; deactivate?: () => unknown };
  const t1 = process.hrtime.bigint();
  let error: string | undefined;
  let t2 = t1;
  let t3 = t1;
  try {
    const result = ext.activate?.(context);
    t2 = process.hrtime.bigint();
    if (result && typeof (result as Promise<unknown>).then === 'function') await result;
    t3 = process.hrtime.bigint();
  } catch (e) {
    t2 = t3 = process.hrtime.bigint();
    error = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
  }
  const subscriptions = (context.subscriptions as unknown[]).length;
  const out = {
    bundleBytes: fs.statSync(bundle).size,
    loadMs: ms(t0, t1),
    activateSyncMs: ms(t1, t2),
    activateMs: ms(t1, t3),
    totalMs: ms(t0, t3),
    subscriptions,
    error,
    apisUsed: [...touched].sort(),
  };
  try {
    for (const d of context.subscriptions as { dispose(): unknown }[]) d.dispose();
    await ext.deactivate?.();
  } catch {
    // Shutting down is not measured.
  }
  fs.rmSync(context._storageDir as string, { recursive: true, force: true });
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(out)}\n`);
  process.exit(0);
}

main().catch((e) => {
  process.stdout.write(`BENCH_RESULT ${JSON.stringify({ error: String(e && (e as Error).stack ? (e as Error).stack : e) })}\n`);
  process.exit(0);
});
