/**
 * Bytes read from a process's output and not yet taken: appended piece by piece, taken from the
 * front. One buffer that grows by doubling and is compacted when half of it has been taken, so
 * that reading N bytes costs O(N) whatever the size of the pieces.
 */
export class ByteQueue {
  private buf = Buffer.alloc(64 * 1024);
  private start = 0;
  private end = 0;

  get length(): number {
    return this.end - this.start;
  }

  push(chunk: Buffer): void {
    if (this.end + chunk.length > this.buf.length) {
      const live = this.end - this.start;
      if (live + chunk.length > this.buf.length / 2 || this.start === 0) {
        let size = this.buf.length;
        while (size < 2 * (live + chunk.length)) size *= 2;
        const next = Buffer.alloc(size);
        this.buf.copy(next, 0, this.start, this.end);
        this.buf = next;
      } else {
        this.buf.copy(this.buf, 0, this.start, this.end);
      }
      this.start = 0;
      this.end = live;
    }
    chunk.copy(this.buf, this.end);
    this.end += chunk.length;
  }

  /** The unread bytes (a view: valid until the next push or take). */
  view(): Buffer {
    return this.buf.subarray(this.start, this.end);
  }

  /** Drops the first `n` unread bytes. */
  skip(n: number): void {
    this.start = Math.min(this.end, this.start + n);
    if (this.start === this.end) this.start = this.end = 0;
  }
}
