/**
 * Agent Trace v0.1.0 records built from provenance manifests: one record per commit, with
 * one conversation per (tool, model, origin kind, recorded conversation) in each file and the
 * manifest's AI line ranges as Agent Trace ranges. Our range hashes become
 * `content_hash: "sha256:<hex>"`. A conversation with an agent transcript (manifest prompts
 * `text`) gets its `file://` URL; the conversations themselves (id, tool, model, prompt or its
 * hash, as the manifest keeps them) are in `metadata["ai-provenance"].conversations`.
 */
import { pathToFileURL } from 'url';
import { createHash } from 'crypto';
import type { Manifest, ManifestRange } from '../core/manifest/schema';
import schemaJson from './agent-trace-0.1.0.schema.json';
import { JsonSchema, SchemaError, validateJson } from './jsonSchema';

export const AGENT_TRACE_VERSION = '0.1.0';
export const AGENT_TRACE_SCHEMA: JsonSchema = schemaJson as JsonSchema;

export type ContributorType = 'human' | 'ai' | 'mixed' | 'unknown';

export interface AgentTraceContributor {
  type: ContributorType;
  model_id?: string;
}

export interface AgentTraceRange {
  start_line: number;
  end_line: number;
  content_hash?: string;
  contributor?: AgentTraceContributor;
}

export interface AgentTraceConversation {
  url?: string;
  contributor?: AgentTraceContributor;
  ranges: AgentTraceRange[];
  related?: Array<{ type: string; url: string }>;
}

export interface AgentTraceRecord {
  version: string;
  id: string;
  timestamp: string;
  vcs?: { type: 'git' | 'jj' | 'hg' | 'svn'; revision: string };
  tool?: { name: string; version?: string };
  files: Array<{ path: string; conversations: AgentTraceConversation[] }>;
  metadata?: Record<string, unknown>;
}

/** Namespace for record ids, so that exporting a commit twice gives the same id. */
const RECORD_NAMESPACE = '6f1c2b9e-3d4a-5e8f-9a0b-1c2d3e4f5a6b';

/** RFC 4122 name-based UUID (version 5, SHA-1). */
export function uuidV5(name: string, namespace: string = RECORD_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const b = Buffer.from(hash.subarray(0, 16));
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export interface TraceCommit {
  readonly sha: string;
  /** Commit date (strict ISO 8601 / RFC 3339). */
  readonly date: string;
  readonly manifest: Manifest;
  /** `file:<path>` or `note:<ref>`. */
  readonly manifestSource: string;
}

export function toAgentTrace(c: TraceCommit): AgentTraceRecord {
  const m = c.manifest;
  const files: AgentTraceRecord['files'] = [];
  const kinds: Record<string, Array<{ start_line: number; end_line: number; kind: string; tool: string; model?: string; trivial: boolean; conversation?: string }>> = {};
  const trails: Record<string, unknown[]> = {};
  for (const f of m.files) {
    if (f.ranges.length === 0) continue;
    const groups = new Map<string, ManifestRange[]>();
    for (const r of f.ranges) {
      const key = [r.tool, r.model ?? '', r.kind, r.conversation ?? ''].join('\u0000');
      const list = groups.get(key) ?? [];
      list.push(r);
      groups.set(key, list);
    }
    const conversations: AgentTraceConversation[] = [];
    for (const ranges of groups.values()) {
      const contributor = contributorOf(ranges[0]);
      const transcript = f.conversations?.find((c) => c.id === ranges[0].conversation)?.transcript;
      conversations.push({
        ...(transcript ? { url: transcriptUrl(transcript) } : {}),
        contributor,
        ranges: ranges.map((r) => ({
          start_line: r.startLine,
          end_line: r.endLine,
          content_hash: `sha256:${r.sha256}`,
          contributor,
        })),
      });
    }
    files.push({ path: f.path, conversations });
    kinds[f.path] = f.ranges.map((r) => ({
      start_line: r.startLine,
      end_line: r.endLine,
      kind: r.kind,
      tool: r.tool,
      ...(r.model !== undefined ? { model: r.model } : {}),
      trivial: r.trivial,
      ...(r.conversation !== undefined ? { conversation: r.conversation } : {}),
    }));
    if (f.conversations?.length) {
      trails[f.path] = f.conversations.map((c) => ({
        id: c.id,
        kind: c.kind,
        tool: c.tool,
        ...(c.model !== undefined ? { model: c.model } : {}),
        ...(c.promptSha256 !== undefined ? { prompt_sha256: c.promptSha256 } : {}),
        ...(c.prompt !== undefined ? { prompt: c.prompt } : {}),
      }));
    }
  }
  return {
    version: AGENT_TRACE_VERSION,
    id: uuidV5(`${c.sha}/${m.id}`),
    timestamp: toRfc3339(c.date),
    vcs: { type: 'git', revision: c.sha },
    tool: { name: m.generator.name, version: m.generator.version },
    files,
    metadata: {
      'ai-provenance': {
        manifest_id: m.id,
        manifest_source: c.manifestSource,
        base: m.base,
        flagged: m.flagged,
        ...(m.reviewRequired !== undefined ? { review_required: m.reviewRequired } : {}),
        totals: {
          added_lines: m.totals.addedLines,
          ai_lines: m.totals.aiLines,
          non_trivial_ai_lines: m.totals.nonTrivialAiLines,
          by_kind: m.totals.byKind,
        },
        ranges: kinds,
        ...(Object.keys(trails).length ? { prompts: m.prompts?.mode ?? null, conversations: trails } : {}),
      },
    },
  };
}

/** A transcript path as a URL (`file:///...`); a path that is already a URL stays as it is. */
function transcriptUrl(transcript: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(transcript) ? transcript : pathToFileURL(transcript).href;
}

function contributorOf(r: ManifestRange): AgentTraceContributor {
  return r.model ? { type: 'ai', model_id: r.model } : { type: 'ai' };
}

function toRfc3339(date: string): string {
  const t = Date.parse(date);
  if (Number.isNaN(t)) throw new RangeError(`not a date: ${date}`);
  // Keep git's own offset form when it is already RFC 3339.
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}([Zz]|[+-]\d{2}:\d{2})$/.test(date) ? date : new Date(t).toISOString();
}

export function validateAgentTrace(record: unknown): SchemaError[] {
  return validateJson(record, AGENT_TRACE_SCHEMA);
}
