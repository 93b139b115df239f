/** SARIF 2.1.0 output of `verify`, for code-scanning uploads. */
import { Finding, RULES, RuleId, VerifyReport } from '../findings';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

export function toSarif(report: VerifyReport, toolVersion: string): object {
  const ruleIds = Object.keys(RULES) as RuleId[];
  const results = report.commits.flatMap((c) => c.findings.map((f) => result(f, ruleIds)));
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ai-provenance',
            version: toolVersion,
            informationUri: 'https://github.com/ai-provenance/ai-provenance',
            rules: ruleIds.map((id) => ({
              id,
              name: camel(id),
              shortDescription: { text: RULES[id] },
              defaultConfiguration: { level: 'error' },
            })),
          },
        },
        // Stable across runs: code scanning groups and closes alerts per category.
        automationDetails: { id: 'ai-provenance/verify/' },
        properties: { range: report.range, policy: report.policySource, summary: report.summary },
        results,
      },
    ],
  };
}

function result(f: Finding, ruleIds: RuleId[]): object {
  const r: Record<string, unknown> = {
    ruleId: f.rule,
    ruleIndex: ruleIds.indexOf(f.rule),
    level: f.severity,
    message: { text: `commit ${f.commit.slice(0, 12)}: ${f.message}` },
    partialFingerprints: { commitRule: `${f.commit}/${f.rule}/${f.file ?? ''}/${f.line ?? ''}` },
    properties: { commit: f.commit },
  };
  if (f.file) {
    const region: Record<string, number> = {};
    if (f.line !== undefined) {
      region.startLine = f.line;
      if (f.endLine !== undefined) region.endLine = f.endLine;
    }
    r.locations = [
      {
        physicalLocation: {
          artifactLocation: { uri: encodePath(f.file), uriBaseId: '%SRCROOT%' },
          ...(f.line !== undefined ? { region } : {}),
        },
      },
    ];
  } else {
    // GitHub code scanning rejects a file with any result lacking a physical location, so a
    // finding about a whole commit is attached to a file of that commit (line 1).
    r.locations = [
      {
        ...(f.anchor ? { physicalLocation: { artifactLocation: { uri: encodePath(f.anchor), uriBaseId: '%SRCROOT%' }, region: { startLine: 1 } } } : {}),
        logicalLocations: [{ name: f.commit, kind: 'module', fullyQualifiedName: `commit/${f.commit}` }],
      },
    ];
  }
  return r;
}

function encodePath(p: string): string {
  return p.split('/').map(encodeURIComponent).join('/');
}

function camel(id: string): string {
  return id.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()).replace(/^[a-z]/, (c) => c.toUpperCase());
}
