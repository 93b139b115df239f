import type { Manifest } from '../../core/manifest/schema';
import { formatPercent } from '../../core/policy/policy';
import { formatHitLines } from '../../core/policy/riskRules';
import { GateResult } from './gate';

/**
 * The Markdown summary of `ai-provenance review`, for a pull-request comment or a job summary:
 * verdict, required level and why, the risk rules that fired (lines and links), what is missing,
 * whom to ask, AI share per file and per tool and model, the flagged commits. No `vscode` import.
 */

export interface SummaryInput {
  readonly range: string;
  readonly head: string;
  readonly gate: GateResult;
  /** Manifests of the range's commits, oldest first. */
  readonly manifests: readonly { readonly sha: string; readonly manifest: Manifest }[];
  readonly policySource: string;
}

/** A stable marker the example workflow uses to find and update its own comment. */
export const SUMMARY_MARKER = '<!-- ai-provenance-review -->';

export function renderSummary(input: SummaryInput): string {
  const { gate } = input;
  const out: string[] = [SUMMARY_MARKER];
  const ok = gate.verdict === 'ok';
  out.push(`## AI Provenance review: ${ok ? 'ready' : 'blocked'}`, '');
  if (gate.requiredLevel) {
    out.push(`**Required review: ${gate.requiredLevel}** (a reviewer of this level or a higher one).`);
  } else out.push('**No review required** by the policy for the AI changes of this range.');
  if (gate.approvers.length) out.push(`Approved by: ${gate.approvers.map((a) => `@${a.login} (${a.level})`).join(', ')}.`);
  if (gate.ignored.length) out.push(`Not counted: ${gate.ignored.map((a) => `@${a.login} (${a.why})`).join(', ')}.`);
  if (gate.request.users.length || gate.request.teams.length) {
    out.push(`Reviewers for this level: ${[...gate.request.users.map((u) => `@${u}`), ...gate.request.teams.map((t) => (t.startsWith('@') ? t : `@${t}`))].join(', ')}.`);
  }
  out.push('');

  if (gate.missing.length) {
    out.push('### What is missing', '');
    for (const m of gate.missing) out.push(`- ${escape(m)}`);
    out.push('');
  }

  const rules = new Map<string, { hit: GateResult['flagged'][number]['risk'][number]; commits: string[] }>();
  for (const f of gate.flagged) for (const h of f.risk) {
    const e = rules.get(h.id);
    if (e) e.commits.push(`${f.sha.slice(0, 12)}: ${formatHitLines(h)}`);
    else rules.set(h.id, { hit: h, commits: [`${f.sha.slice(0, 12)}: ${formatHitLines(h)}`] });
  }
  if (rules.size) {
    out.push('### Risk rules that fired', '');
    for (const { hit, commits } of rules.values()) {
      const links = hit.links.length ? ` (${hit.links.map((l, i) => `[${hit.links.length > 1 ? `link ${i + 1}` : 'link'}](${l})`).join(', ')})` : '';
      out.push(`- **${hit.id}** (${hit.level}): ${escape(hit.reason)}${links}`);
      for (const c of commits) out.push(`  - \`${c}\``);
      if (hit.dependencyFiles?.length) out.push(`  - dependency files changed: ${hit.dependencyFiles.map((d) => `\`${d}\``).join(', ')}`);
      if (hit.untested) out.push('  - no test file changed');
      if (hit.note) out.push(`  - ${escape(hit.note)}`);
    }
    out.push('');
  }

  if (gate.flagged.length) {
    out.push('### Flagged commits', '', '| commit | subject | level | why | review |', '| --- | --- | --- | --- | --- |');
    for (const f of gate.flagged) {
      out.push(`| ${f.sha.slice(0, 12)} | ${cell(f.subject)} | ${f.level ?? '-'} | ${cell(f.reasons.join('; ') || '-')} | ${f.metBy ? cell(f.metBy) : f.level ? '**missing**' : '-'} |`);
    }
    out.push('');
  }

  // AI share per file and per tool, over the lines the range's commits add.
  const files = new Map<string, { added: number; ai: number; tools: Set<string> }>();
  const tools = new Map<string, { tool: string; model: string; lines: number }>();
  for (const { manifest } of input.manifests) {
    for (const f of manifest.files) {
      const e = files.get(f.path) ?? { added: 0, ai: 0, tools: new Set<string>() };
      e.added += f.addedLines;
      e.ai += f.aiLines;
      for (const r of f.ranges) e.tools.add(r.model ? `${r.tool}:${r.model}` : r.tool);
      files.set(f.path, e);
    }
    for (const t of manifest.totals.byTool) {
      const k = `${t.tool}\u0000${t.model ?? ''}`;
      const e = tools.get(k) ?? { tool: t.tool, model: t.model ?? '-', lines: 0 };
      e.lines += t.lines;
      tools.set(k, e);
    }
  }
  const aiFiles = [...files].filter(([, e]) => e.ai > 0).sort((a, b) => b[1].ai - a[1].ai || (a[0] < b[0] ? -1 : 1));
  if (aiFiles.length) {
    out.push('### AI share per file', '', '(lines added by the commits of the range that carry a manifest)', '', '| file | AI lines | added lines | AI share | tools |', '| --- | ---: | ---: | ---: | --- |');
    for (const [p, e] of aiFiles) out.push(`| \`${cell(p)}\` | ${e.ai} | ${e.added} | ${formatPercent(e.ai, e.added)} | ${cell([...e.tools].sort().join(', '))} |`);
    out.push('', '| tool | model | AI lines |', '| --- | --- | ---: |');
    for (const t of [...tools.values()].sort((a, b) => b.lines - a.lines || (a.tool < b.tool ? -1 : 1))) out.push(`| ${cell(t.tool)} | ${cell(t.model)} | ${t.lines} |`);
    out.push('');
  } else out.push('No AI lines recorded in this range.', '');

  out.push(...conversationSection(input));

  out.push(`<sub>Range ${escape(input.range)} (head ${input.head.slice(0, 12)}); policy: ${escape(input.policySource)}.</sub>`, '');
  return out.join('\n');
}

/** Prompts are quoted up to this many characters in the summary. */
const SUMMARY_PROMPT_CHARS = 300;

/**
 * The conversations behind the AI lines of the flagged commits, file by file: each conversation's
 * id, kind, tool and model, and its prompt as the manifest keeps it (the redacted text, or its
 * hash). Prompts are quoted as code so that an `@name` in them mentions nobody.
 */
function conversationSection(input: SummaryInput): string[] {
  const flagged = new Set(input.gate.flagged.map((f) => f.sha));
  const byFile = new Map<string, string[]>();
  for (const { sha, manifest } of input.manifests) {
    if (!flagged.has(sha)) continue;
    for (const f of manifest.files) {
      for (const c of f.conversations ?? []) {
        const lines = f.ranges.filter((r) => r.conversation === c.id).map((r) => (r.startLine === r.endLine ? `${r.startLine}` : `${r.startLine}-${r.endLine}`));
        const who = `${c.kind}, ${c.model ? `${c.tool}:${c.model}` : c.tool}`;
        const prompt = c.prompt !== undefined ? `: ${code(c.prompt)}` : c.promptSha256 ? ` (prompt kept as a hash: ${c.promptSha256.slice(0, 12)})` : ' (prompt not kept)';
        const list = byFile.get(f.path) ?? [];
        list.push(`  - ${code(c.id)} in ${sha.slice(0, 12)}, lines ${lines.join(', ') || '-'} (${escape(who)})${prompt}`);
        byFile.set(f.path, list);
      }
    }
  }
  if (!byFile.size) return [];
  const out = ['### Conversations behind the flagged files', ''];
  for (const [p, list] of [...byFile].sort((a, b) => (a[0] < b[0] ? -1 : 1))) out.push(`- \`${cell(p)}\``, ...list);
  out.push('');
  return out;
}

/** Inline code for a prompt or id: one line, cut, no backtick inside. */
function code(s: string): string {
  const line = s.replace(/\s+/g, ' ').trim().replace(/`/g, "'");
  return `\`${line.length > SUMMARY_PROMPT_CHARS ? `${line.slice(0, SUMMARY_PROMPT_CHARS - 1)}\u2026` : line}\``;
}

function cell(s: string): string {
  return escape(s).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Keeps text from opening HTML or mentioning people by accident. */
function escape(s: string): string {
  return s.replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
