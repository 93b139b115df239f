import { GitError, gitText, runGit, splitNul, streamGit } from './git';


/** Sizes in bytes of blobs (`git cat-file --batch-check`). */
export async function blobSizes(root: string, blobs: readonly string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  if (!blobs.length) return sizes;
  const out = await gitText(['cat-file', '--batch-check=%(objectname) %(objectsize)'], { cwd: root, input: blobs.join('\n') + '\n' });
  for (const line of out.split('\n')) {
    const [name, size] = line.split(' ');
    if (name && size && /^\d+$/.test(size)) sizes.set(name, Number(size));
  }
  return sizes;
}

const BLOB_CACHE_BYTES = 64 * 1024 * 1024;
const blobCache = new Map<string, Buffer>();
let blobCacheBytes = 0;

function cachedBlob(root: string, blob: string): Buffer | undefined {
  const key = `${root}\u0000${blob}`;
  const hit = blobCache.get(key);
  if (hit) {
    blobCache.delete(key);
    blobCache.set(key, hit);
  }
  return hit;
}

function cacheBlob(root: string, blob: string, bytes: Buffer): void {
  if (bytes.length > BLOB_CACHE_BYTES / 4) return;
  const key = `${root}\u0000${blob}`;
  const old = blobCache.get(key);
  if (old) blobCacheBytes -= old.length;
  blobCache.set(key, bytes);
  blobCacheBytes += bytes.length;
  for (const [k, v] of blobCache) {
    if (blobCacheBytes <= BLOB_CACHE_BYTES) break;
    blobCache.delete(k);
    blobCacheBytes -= v.length;
  }
}

/**
 * The bytes of a blob. Blobs are immutable, so recently read ones are kept (up to 64 MB, least
 * recently used dropped first): refreshing the staged state on every staging change re-reads
 * the same few blobs.
 */
export async function readBlob(root: string, blob: string): Promise<Buffer> {
  const hit = cachedBlob(root, blob);
  if (hit) return hit;
  const bytes = (await runGit(['cat-file', 'blob', blob], { cwd: root })).stdout;
  cacheBlob(root, blob, bytes);
  return bytes;
}

/**
 * The bytes of many blobs, by blob id: cached ones as {@link readBlob} keeps them, the others with
 * one `git cat-file --batch` instead of one git process per blob. Rejects with a {@link GitError}
 * when an id is not a blob of the repository.
 */
export async function readBlobs(root: string, blobs: Iterable<string>): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  await streamBlobs(root, blobs, (id, bytes) => out.set(id, bytes));
  return out;
}

/**
 * {@link readBlobs}, handing each blob to `onBlob` as soon as git has written it (cached ones
 * first, at once), so that it can be used while git is still reading the next ones. One
 * `git cat-file --batch` for the blobs not cached; each is called for once, in the order asked.
 */
export async function streamBlobs(root: string, blobs: Iterable<string>, onBlob: (id: string, bytes: Buffer) => void): Promise<void> {
  const missing: string[] = [];
  for (const blob of new Set(blobs)) {
    const hit = cachedBlob(root, blob);
    if (hit) onBlob(blob, hit);
    else missing.push(blob);
  }
  if (!missing.length) return;
  const args = ['cat-file', '--batch'];
  // Records are "<id> blob <size>\n<bytes>\n". Pieces are kept until a record is complete and
  // joined once, so a large blob arriving in many pieces is copied once.
  const pieces: Buffer[] = [];
  let have = 0;
  /** Bytes the record being read needs (from its start), once its header is known; 0 before. */
  let need = 0;
  let next = 0;
  await streamGit(args, { cwd: root, input: missing.join('\n') + '\n', timeout: 120_000 }, (chunk) => {
    pieces.push(chunk);
    have += chunk.length;
    if (need > 0 && have < need) return;
    const buf = pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, have);
    pieces.length = 0;
    let pos = 0;
    need = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, pos);
      if (nl === -1) break;
      const header = buf.toString('latin1', pos, nl);
      // "<id> blob <size>", or "<id> missing" / "<id> ambiguous".
      const m = /^\S+ (\S+) (\d+)$/.exec(header);
      const id = missing[next];
      if (!m || m[1] !== 'blob' || id === undefined) {
        throw new GitError('failed', `git cat-file --batch: ${id ?? 'an extra object'} is not a blob of this repository (${header})`, args);
      }
      const end = nl + 1 + Number(m[2]) + 1;
      if (end > buf.length) {
        need = end - pos;
        break;
      }
      // A view, not a copy (copying every blob costs more than reading it): a cached blob keeps
      // the piece it came in alive until the rest of that piece has left the cache too.
      const bytes = buf.subarray(nl + 1, end - 1);
      next++;
      cacheBlob(root, id, bytes);
      onBlob(id, bytes);
      pos = end;
    }
    if (pos < buf.length) pieces.push(buf.subarray(pos));
    have = buf.length - pos;
  });
  if (next < missing.length) throw new GitError('failed', `git cat-file --batch: ${missing[next]} was not read (${next} of ${missing.length} blobs)`, args);
}

/** Blob ids of `paths` in the index (stage 0), in one git call; paths not staged are absent. */
export async function indexBlobs(root: string, paths: readonly string[], env?: NodeJS.ProcessEnv): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!paths.length) return out;
  const text = await gitText(['ls-files', '-s', '-z', '--', ...paths.map((p) => `:(literal)${p}`)], { cwd: root, env });
  for (const entry of splitNul(text)) {
    const m = /^(\d+) ([0-9a-f]+) (\d)\t(.*)$/s.exec(entry);
    if (m && m[3] === '0') out.set(m[4], m[2]);
  }
  return out;
}

/** The blob id git would store for `content` (no write). */
export async function hashBlob(root: string, content: string | Buffer): Promise<string> {
  return (await gitText(['hash-object', '--stdin'], { cwd: root, input: content })).trim();
}

/** Blob id of `path` in the index (stage 0), or undefined when not staged. */
export async function indexBlob(root: string, path: string, env?: NodeJS.ProcessEnv): Promise<string | undefined> {
  const out = await gitText(['ls-files', '-s', '-z', '--', `:(literal)${path}`], { cwd: root, env });
  for (const entry of splitNul(out)) {
    const m = /^(\d+) ([0-9a-f]+) (\d)\t(.*)$/s.exec(entry);
    if (m && m[3] === '0' && m[4] === path) return m[2];
  }
  return undefined;
}
