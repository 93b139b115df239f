/**
 * The three outputs of `ai-provenance blame`: a readable table, porcelain lines in the shape of
 * `git blame --porcelain` with `ai-*` fields added, and JSON. Pure.
 */
import { BlameCommit } from './porcelain';
import { BlameCounts, CommitRecord, LineOrigin, countLines } from './lineOrigins';

export interface BlameView {
  readonly path: string;
  readonly rev?: string;
  readonly lines: readonly LineOrigin[];
  readonly records: ReadonlyMap<string, CommitRecord>;
  readonly commits: ReadonlyMap<string, BlameCommit>;
}

const ZERO = '0000000000000000000000000000000000000000';

function who(o: LineOrigin): string {
  if (o.status !== 'ai') return o.status;
  return o.model ? `${o.tool}:${o.model}` : o.tool ?? '';
}

function review(rec: CommitRecord | undefined): string {
  if (!rec?.reviewRequired) return '';
  const by = rec.reviewedBy.map((r) => r.replace(/\s*<[^>]*>\s*$/, '')).join(', ');
  return by ? `${rec.reviewRequired} by ${by}` : `${rec.reviewRequired}, not reviewed`;
}

function pct(c: BlameCounts): string {
  return c.lines ? `${Math.round((100 * c.ai) / c.lines)}%` : '0%';
}

export function summaryLine(v: BlameView): string {
  const c = countLines(v.lines);
  return `${v.path}${v.rev ? ` at ${v.rev}` : ''}: ${pct(c)} AI (${c.ai} AI, ${c.human} human, ${c.unknown} unknown of ${c.lines} lines)\n`;
}

/** `<commit> <status> <kind> <tool:model> <review> <date> <line>) <content>`, columns aligned. */
export function renderBlameTable(v: BlameView): string {
  const rows = v.lines.map((o) => {
    const rec = o.commit ? v.records.get(o.commit) : undefined;
    return [
      o.commit ? o.commit.slice(0, 8) : 'worktree',
      o.status === 'ai' ? 'AI' : o.status,
      o.kind && o.status === 'ai' ? o.kind : '',
      o.status === 'ai' ? who(o) : '',
      review(rec),
      rec ? rec.date.slice(0, 10) : '',
      String(o.line),
      o.content,
    ];
  });
  const widths = [0, 1, 2, 3, 4, 5, 6].map((i) => Math.max(0, ...rows.map((r) => r[i].length)));
  const cap = [8, 7, 13, 36, 32, 10, 6];
  const cell = (s: string, i: number): string => {
    const w = Math.min(widths[i], cap[i]);
    const t = s.length > w ? s.slice(0, Math.max(0, w - 1)) + '…' : s;
    return i === 6 ? t.padStart(w) : t.padEnd(w);
  };
  const body = rows.map((r) => `${r.slice(0, 7).map(cell).join(' ')}) ${r[7]}`).join('\n');
  return summaryLine(v) + (body ? body + '\n' : '');
}

/**
 * git's porcelain format: each line is `<sha> <orig line> <final line>[ <group size>]`, the
 * commit's details the first time it appears (`author`, ..., `summary`, `filename`), then `\t<line>`.
 * Added fields: per commit (first time) `ai-record`, `ai-review-required`, `ai-reviewed-by`
 * (repeated) and `ai-flagged`; per line `ai <ai|human|unknown>`, `ai-basis`, and for AI lines
 * `ai-kind`, `ai-tool`, `ai-model`, `ai-conversation`. Every line has its own `ai` fields, as with
 * `--line-porcelain`, because lines of one commit can differ.
 */
export function renderBlamePorcelain(v: BlameView): string {
  const out: string[] = [];
  const seen = new Set<string>();
  let prev: string | undefined;
  let prevOrig = 0;
  const lines = v.lines;
  for (let i = 0; i < lines.length; i++) {
    const o = lines[i];
    const sha = o.commit ?? ZERO;
    const groupStart = sha !== prev || o.origLine !== prevOrig + 1;
    let header = `${sha} ${o.origLine} ${o.line}`;
    if (groupStart) {
      let n = 1;
      while (i + n < lines.length && (lines[i + n].commit ?? ZERO) === sha && lines[i + n].origLine === o.origLine + n) n++;
      header += ` ${n}`;
    }
    out.push(header);
    if (!seen.has(sha)) {
      seen.add(sha);
      const commit = v.commits.get(sha);
      for (const [k, val] of commit?.details ?? []) out.push(val ? `${k} ${val}` : k);
      if (commit?.boundary) out.push('boundary');
      const rec = o.commit ? v.records.get(o.commit) : undefined;
      if (rec) {
        out.push(`ai-record ${rec.manifest ? rec.manifestSource ?? 'manifest' : rec.manifestInvalid ? 'invalid-manifest' : rec.declared ? `declared ${rec.declared}` : 'none'}`);
        out.push(`ai-flagged ${rec.flagged ? 'yes' : 'no'}`);
        if (rec.reviewRequired) out.push(`ai-review-required ${rec.reviewRequired}`);
        for (const r of rec.reviewedBy) out.push(`ai-reviewed-by ${r}`);
      }
      out.push(`filename ${quote(o.origPath)}`);
    }
    out.push(`ai ${o.status}`);
    out.push(`ai-basis ${o.basis}`);
    if (o.status === 'ai') {
      if (o.kind) out.push(`ai-kind ${o.kind}`);
      if (o.tool) out.push(`ai-tool ${o.tool}`);
      if (o.model) out.push(`ai-model ${o.model}`);
      if (o.conversation) out.push(`ai-conversation ${o.conversation}`);
    }
    out.push(`\t${o.content}`);
    prev = sha;
    prevOrig = o.origLine;
  }
  return out.length ? out.join('\n') + '\n' : '';
}

function quote(p: string): string {
  return /[\x00-\x1f"\\\x7f]/.test(p) ? JSON.stringify(p) : p;
}

export function blameJson(v: BlameView): unknown {
  const commits: Record<string, unknown> = {};
  for (const o of v.lines) {
    if (!o.commit || commits[o.commit]) continue;
    const rec = v.records.get(o.commit);
    commits[o.commit] = rec
      ? {
          author: rec.author,
          author_email: rec.authorEmail,
          date: rec.date,
          subject: rec.subject,
          ai_assisted: rec.declared ?? null,
          flagged: rec.flagged,
          manifest: rec.manifest ? rec.manifestSource ?? null : null,
          manifest_invalid: rec.manifestInvalid ?? false,
          review_required: rec.reviewRequired ?? null,
          reviewed_by: rec.reviewedBy,
        }
      : null;
  }
  return {
    path: v.path,
    rev: v.rev ?? null,
    summary: countLines(v.lines),
    lines: v.lines.map((o) => ({
      line: o.line,
      commit: o.commit ?? null,
      orig_line: o.origLine,
      orig_path: o.origPath,
      status: o.status,
      basis: o.basis,
      kind: o.kind ?? null,
      tool: o.tool ?? null,
      model: o.model ?? null,
      trivial: o.trivial ?? null,
      conversation: o.conversation ?? null,
      prompt: o.prompt ?? null,
      prompt_sha256: o.promptSha256 ?? null,
      content: o.content,
    })),
    commits,
  };
}
