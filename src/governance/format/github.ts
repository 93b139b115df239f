/**
 * GitHub Actions workflow commands (`::error file=...,line=...::message`), which the runner
 * turns into annotations on the pull request.
 */
import { Finding, VerifyReport } from '../findings';
import { plainText } from './plainText';

/** Escapes the message part of a workflow command. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a property value (file, title) of a workflow command. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function annotation(f: Finding): string {
  const level = f.severity === 'note' ? 'notice' : f.severity;
  const props: string[] = [];
  if (f.file) {
    props.push(`file=${escapeProperty(f.file)}`);
    if (f.line !== undefined) props.push(`line=${f.line}`);
    if (f.endLine !== undefined && f.line !== undefined && f.endLine !== f.line) props.push(`endLine=${f.endLine}`);
  }
  props.push(`title=${escapeProperty(`ai-provenance ${f.rule} (${f.commit.slice(0, 12)})`)}`);
  return `::${level} ${props.join(',')}::${escapeData(`commit ${f.commit.slice(0, 12)}: ${f.message}`)}`;
}

export function renderGithub(report: VerifyReport): string {
  const lines: string[] = [];
  for (const c of report.commits) for (const f of c.findings) lines.push(annotation(f));
  const s = report.summary;
  lines.push(
    `ai-provenance verify ${plainText(report.range)}: ${s.commits} commit(s), ${s.passed} passed, ${s.failed} failed, ${s.skipped} not declared`,
  );
  return lines.join('\n') + '\n';
}
