/**
 * Small helpers for work that runs later: a debounced or throttled call, a repeating call, a task
 * that runs once more when asked while it runs, and a list of things to dispose. No vscode; timers
 * only.
 */

/** Anything with a `dispose` (a VS Code Disposable, an event subscription). */
export interface DisposableLike {
  dispose(): void;
}

/** Things disposed together, in the order they were added; later additions are disposed at once. */
export class Disposables implements DisposableLike {
  private readonly items: DisposableLike[] = [];
  private done = false;

  add<T extends DisposableLike>(...items: T[]): T {
    for (const d of items) {
      if (this.done) d.dispose();
      else this.items.push(d);
    }
    return items[0];
  }

  get disposed(): boolean {
    return this.done;
  }

  dispose(): void {
    if (this.done) return;
    this.done = true;
    for (const d of this.items.splice(0)) d.dispose();
  }
}

export interface DebounceOptions {
  /**
   * However often it is asked again, the call is not put off for more than this long after the
   * first request of a round (continuous typing does not postpone a save forever).
   */
  readonly maxWaitMs?: number;
  /** The clock (tests). */
  readonly now?: () => number;
}

/** Calls `fn` once, `delayMs` after the last request (a request during the wait starts it again). */
export class Debouncer implements DisposableLike {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private firstAt = 0;
  private done = false;

  constructor(
    private readonly fn: () => void,
    private readonly delayMs: number,
    private readonly options: DebounceOptions = {},
  ) {}

  /** True while a call waits. */
  get pending(): boolean {
    return this.timer !== undefined;
  }

  /** Calls `fn` after `delay` (default: the debouncer's delay) unless asked again meanwhile. */
  schedule(delay = this.delayMs): void {
    if (this.done) return;
    const now = (this.options.now ?? Date.now)();
    if (this.timer) {
      const max = this.options.maxWaitMs;
      if (max !== undefined && now - this.firstAt >= max - delay) return;
      clearTimeout(this.timer);
    } else this.firstAt = now;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fn();
    }, delay);
  }

  /** Drops the waiting call, if any. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.done = true;
    this.cancel();
  }
}

/**
 * Calls `fn` once, `delayMs` after the first request of a round: requests while it waits join that
 * call and do not put it off (a view refreshed at most every `delayMs` while edits stream in).
 */
export function throttled(fn: () => void, delayMs: number): Debouncer {
  // A longest wait equal to the delay: a waiting call is never moved.
  return new Debouncer(fn, delayMs, { maxWaitMs: delayMs });
}

/** Calls `fn` every `intervalMs` until disposed (a poll of something that sends no event). */
export class Repeating implements DisposableLike {
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(fn: () => void, intervalMs: number) {
    this.timer = setInterval(fn, intervalMs);
  }

  dispose(): void {
    clearInterval(this.timer);
  }
}

/** One debounced call per key (a file, a folder): the last one asked for a key runs, `delayMs` after. */
export class KeyedDebouncer<K> implements DisposableLike {
  private readonly timers = new Map<K, ReturnType<typeof setTimeout>>();

  constructor(private readonly delayMs: number) {}

  /** Runs `fn` after the delay unless `key` is asked for again meanwhile (then that call runs). */
  schedule(key: K, fn: () => void): void {
    this.cancel(key);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        fn();
      }, this.delayMs),
    );
  }

  cancel(key: K): void {
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}

/**
 * Runs `task` one at a time: asked while it runs, it runs once more after the current run (however
 * often it was asked meanwhile), so the last request always sees a run that started after it.
 * `stopped` ends the repeats (disposal). `task` should not throw; a rejection ends the round and
 * reaches its callers.
 */
export class RerunningTask {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly stopped: () => boolean = () => false,
  ) {}

  /** True while a round runs. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Runs now, or once more after the current run; resolves when the round ends. */
  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    // The round awaits before its `finally`, so `running` is set before it is cleared.
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.task();
        } while (this.again && !this.stopped());
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }
}
