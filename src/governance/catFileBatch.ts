/**
 * One `git cat-file --batch` kept running for a whole command and asked many times, instead of
 * one process per batch of objects. Each request is a list of object names (`<rev>:<path>` or an
 * id, no line break); the answers come in the same order: the object's type and bytes, or
 * `missing`. Requests are answered one after the other.
 */
import { startGit } from '../git/git';
import { ByteQueue } from './byteQueue';

export interface CatFileObject {
  readonly type: string;
  readonly body: Buffer;
}

interface Request {
  readonly count: number;
  readonly answers: Array<CatFileObject | null>;
  readonly resolve: (answers: Array<CatFileObject | null> | undefined) => void;
}

const HEADER = /^([0-9a-f]{40,64}) (\S+) (\d+)$/;

export class CatFileBatch {
  private readonly child;
  private readonly bytes = new ByteQueue();
  private readonly queue: Request[] = [];
  private dead = false;

  constructor(cwd: string, git: string) {
    this.child = startGit(['cat-file', '--batch'], { cwd, git, env: { GIT_OPTIONAL_LOCKS: '0' } }, () => this.fail());
    this.child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  /** The objects `names` name, in order (`null`: missing); undefined when git failed (read them another way). */
  read(names: readonly string[]): Promise<Array<CatFileObject | null> | undefined> {
    if (this.dead) return Promise.resolve(undefined);
    if (names.length === 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      this.queue.push({ count: names.length, answers: [], resolve });
      this.child.stdin.write(names.join('\n') + '\n');
    });
  }

  close(): void {
    if (this.dead) return;
    this.dead = true;
    this.child.stdin.end();
  }

  private onData(chunk: Buffer): void {
    this.bytes.push(chunk);
    for (;;) {
      const request = this.queue[0];
      if (!request) return;
      const { answers, used } = parseBatchAnswers(this.bytes.view(), request.count - request.answers.length);
      if (answers.length === 0) return;
      request.answers.push(...answers);
      this.bytes.skip(used);
      if (request.answers.length === request.count) {
        this.queue.shift();
        request.resolve(request.answers);
      }
    }
  }

  private fail(): void {
    this.dead = true;
    for (const r of this.queue.splice(0)) r.resolve(undefined);
  }
}

/**
 * The complete answers at the start of `git cat-file --batch` output (at most `max`), and how many
 * bytes they take: `<id> <type> <size>`, a line break, the bytes and a line break; `null` for
 * `<name> missing` (or `ambiguous`).
 */
export function parseBatchAnswers(out: Buffer, max: number): { answers: Array<CatFileObject | null>; used: number } {
  const answers: Array<CatFileObject | null> = [];
  let pos = 0;
  while (answers.length < max) {
    const nl = out.indexOf(0x0a, pos);
    if (nl < 0) break;
    const m = HEADER.exec(out.toString('utf8', pos, nl));
    if (!m) {
      answers.push(null);
      pos = nl + 1;
      continue;
    }
    const size = Number(m[3]);
    if (out.length < nl + 1 + size + 1) break;
    answers.push({ type: m[2], body: Buffer.from(out.subarray(nl + 1, nl + 1 + size)) });
    pos = nl + 1 + size + 1;
  }
  return { answers, used: pos };
}
