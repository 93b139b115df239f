// Entry point of the in-host test suite in the @vscode/test-electron format: the extension host
// loads this module (extensionTestsPath) and calls `run()`. It runs every
// out/test/integration/**/*.test.js with mocha (BDD) and, when AI_PROVENANCE_TEST_RESULTS is set,
// writes the results as JSON to that path (rewritten after every test; `done: true` at the end),
// because a browser-hosted workbench gives the harness no exit code.
import * as fs from 'fs';
import * as path from 'path';

interface TestRecord {
  title: string;
  fullTitle: string;
  file?: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: { message: string; stack?: string };
}

export interface ResultsFile {
  host: string;
  done: boolean;
  passed: number;
  failed: number;
  pending: number;
  /** Set when the suite could not be loaded or run at all. */
  fatal?: string;
  startedAt: string;
  finishedAt?: string;
  tests: TestRecord[];
}

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTests(full));
    else if (entry.name.endsWith('.test.js')) out.push(full);
  }
  return out.sort();
}

function loadMocha(): typeof import('mocha') {
  // mocha 12's main entry is an ES module; `require` returns its namespace object.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const ns = require('mocha');
  const ctor = ns.Mocha ?? ns.default ?? ns;
  if (typeof ctor !== 'function') throw new Error('could not load the Mocha constructor');
  return ctor;
}

function errorInfo(err: unknown): { message: string; stack?: string } {
  if (err instanceof Error) return { message: err.message, stack: err.stack };
  return { message: String(err) };
}

export function run(): Promise<void> {
  const resultsPath = process.env.AI_PROVENANCE_TEST_RESULTS;
  const results: ResultsFile = {
    host: process.env.AI_PROVENANCE_TEST_HOST ?? 'unknown',
    done: false,
    passed: 0,
    failed: 0,
    pending: 0,
    startedAt: new Date().toISOString(),
    tests: [],
  };
  const write = (): void => {
    if (!resultsPath) return;
    const tmp = `${resultsPath}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(results, null, 2));
    fs.renameSync(tmp, resultsPath);
  };

  return new Promise<void>((resolve, reject) => {
    const finish = (fatal?: unknown): void => {
      if (fatal !== undefined) results.fatal = errorInfo(fatal).stack ?? errorInfo(fatal).message;
      results.done = true;
      results.finishedAt = new Date().toISOString();
      try {
        write();
      } catch (err) {
        console.error('[ai-provenance tests] could not write results:', err);
      }
      if (results.fatal) reject(new Error(`test suite could not run: ${results.fatal}`));
      else if (results.failed > 0) reject(new Error(`${results.failed} test(s) failed`));
      else resolve();
    };

    try {
      write();
      const Mocha = loadMocha();
      const timeout = Number(process.env.AI_PROVENANCE_TEST_TIMEOUT_MS) || 60000;
      const mocha = new Mocha({ ui: 'bdd', color: false, timeout, reporter: 'spec' });
      const grep = process.env.AI_PROVENANCE_TEST_GREP;
      if (grep) mocha.grep(grep);
      const files = findTests(__dirname);
      if (files.length === 0) throw new Error(`no *.test.js files under ${__dirname}`);
      for (const f of files) mocha.addFile(f);

      const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END } = Mocha.Runner.constants;
      const runner = mocha.run();
      runner.on(EVENT_TEST_PASS, (test: Mocha.Test) => {
        results.passed++;
        results.tests.push({ title: test.title, fullTitle: test.fullTitle(), file: test.file, state: 'passed', durationMs: test.duration });
        write();
      });
      runner.on(EVENT_TEST_FAIL, (test: Mocha.Runnable, err: unknown) => {
        // Also fires for failing hooks (before/after...), which count as failures.
        results.failed++;
        results.tests.push({ title: test.title, fullTitle: test.fullTitle(), file: test.file, state: 'failed', durationMs: test.duration, error: errorInfo(err) });
        write();
      });
      runner.on(EVENT_TEST_PENDING, (test: Mocha.Test) => {
        results.pending++;
        results.tests.push({ title: test.title, fullTitle: test.fullTitle(), file: test.file, state: 'pending' });
        write();
      });
      runner.on(EVENT_RUN_END, () => finish());
    } catch (err) {
      finish(err);
    }
  });
}
