import * as assert from 'assert';
import { Debouncer, Disposables, KeyedDebouncer, Repeating, RerunningTask, throttled } from '../../../../src/core/scheduling/scheduling';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await sleep(10);
  assert.ok(condition(), 'condition not met in 5 s');
}

describe('scheduling: debounce, run again, dispose', () => {
  it('a debouncer calls once after the last of several requests', async () => {
    let calls = 0;
    const d = new Debouncer(() => calls++, 20);
    d.schedule();
    d.schedule();
    d.schedule();
    assert.ok(d.pending);
    await until(() => !d.pending);
    await sleep(30);
    assert.strictEqual(calls, 1);
  });

  it('a debouncer with a longest wait is not put off, nor brought forward, once that wait is near', async () => {
    let now = 0;
    let calls = 0;
    const d = new Debouncer(() => calls++, 5000, { maxWaitMs: 10_000, now: () => now });
    d.schedule();
    now = 100;
    d.schedule(5); // well within the longest wait: the call moves to 5 ms from now
    await until(() => calls === 1);
    now = 0;
    d.schedule();
    now = 9_996;
    d.schedule(5); // 5 ms more would pass the longest wait: the waiting call stands
    await sleep(50);
    assert.strictEqual(calls, 1);
    assert.ok(d.pending);
    d.dispose();
  });

  it('a disposed debouncer does not call, and a cancelled call does not happen', async () => {
    let calls = 0;
    const d = new Debouncer(() => calls++, 5);
    d.schedule();
    d.cancel();
    await sleep(20);
    assert.strictEqual(calls, 0);
    d.schedule();
    d.dispose();
    d.schedule();
    await sleep(20);
    assert.strictEqual(calls, 0);
  });

  it('a throttled call runs once, the delay after the first request; later requests do not put it off', async () => {
    let calls = 0;
    const t = throttled(() => calls++, 60);
    const start = Date.now();
    t.schedule();
    await sleep(30);
    t.schedule(); // a debouncer would move the call to 90 ms
    t.schedule();
    await until(() => calls === 1);
    const took = Date.now() - start;
    assert.ok(took < 85, `called after ${took} ms, not 60 ms after the first request`);
    await sleep(80);
    assert.strictEqual(calls, 1);
    t.schedule();
    await until(() => calls === 2);
    t.dispose();
  });

  it('a repeating call runs every interval until disposed', async () => {
    let calls = 0;
    const r = new Repeating(() => calls++, 5);
    await until(() => calls >= 3);
    r.dispose();
    const seen = calls;
    await sleep(30);
    assert.strictEqual(calls, seen);
  });

  it('a keyed debouncer runs the last call asked for each key, once', async () => {
    const seen: string[] = [];
    const d = new KeyedDebouncer<string>(10);
    d.schedule('a', () => seen.push('a1'));
    d.schedule('b', () => seen.push('b'));
    d.schedule('a', () => seen.push('a'));
    d.schedule('c', () => seen.push('c'));
    d.cancel('c');
    await until(() => seen.length >= 2);
    await sleep(30);
    assert.deepStrictEqual(seen.sort(), ['a', 'b']);
    d.schedule('a', () => seen.push('a'));
    d.dispose();
    await sleep(30);
    assert.deepStrictEqual(seen.sort(), ['a', 'b']);
  });

  it('a task asked while it runs runs once more after, however often it was asked', async () => {
    let runs = 0;
    let release: (() => void) | undefined;
    const task = new RerunningTask(async () => {
      runs++;
      await new Promise<void>((resolve) => (release = resolve));
    });
    const first = task.run();
    assert.strictEqual(runs, 1);
    const second = task.run();
    const third = task.run();
    assert.ok(task.busy);
    release!();
    await sleep(5);
    assert.strictEqual(runs, 2, 'one more run for both requests');
    release!();
    await Promise.all([first, second, third]);
    assert.strictEqual(runs, 2);
    assert.ok(!task.busy);
    const fourth = task.run();
    release!();
    await fourth;
    assert.strictEqual(runs, 3, 'a request after the round starts a new round');
  });

  it('a stopped task does not run again', async () => {
    let runs = 0;
    let stopped = false;
    let release: (() => void) | undefined;
    const task = new RerunningTask(
      async () => {
        runs++;
        await new Promise<void>((resolve) => (release = resolve));
      },
      () => stopped,
    );
    const p = task.run();
    void task.run();
    stopped = true;
    release!();
    await p;
    assert.strictEqual(runs, 1);
  });

  it('disposes everything added, in order, once; what is added after is disposed at once', () => {
    const order: number[] = [];
    const all = new Disposables();
    all.add({ dispose: () => order.push(1) }, { dispose: () => order.push(2) });
    all.add({ dispose: () => order.push(3) });
    all.dispose();
    all.dispose();
    assert.deepStrictEqual(order, [1, 2, 3]);
    all.add({ dispose: () => order.push(4) });
    assert.deepStrictEqual(order, [1, 2, 3, 4]);
    assert.ok(all.disposed);
  });
});
