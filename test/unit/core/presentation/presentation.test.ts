import * as assert from 'assert';
import { Origin } from '../../../../src/core/provenance/origin';
import { ProvenanceStore } from '../../../../src/core/provenance/provenanceStore';
import { aiLineSpans, lineOfFromText, placeAiRanges, RangeLike } from '../../../../src/core/presentation/lineSpans';
import { escapeMarkdown, hoverMarkdown, inlineCode } from '../../../../src/core/presentation/hover';
import { formatAgo, formatLineSpan, formatPercent, formatUtc, kindLabel } from '../../../../src/core/presentation/labels';
import { bar, buildFileSection, buildStagedSection, fileInputOf, REPORT_MAX_RANGE_ROWS } from '../../../../src/core/presentation/reportModel';
import { fileShare } from '../../../../src/core/provenance/fileShare';
import { stagedInputFrom, toolLines } from '../../../../src/core/presentation/stagedInput';
import { contentSecurityPolicy, reportPage } from '../../../../src/core/presentation/reportHtml';

const T0 = Date.UTC(2026, 10, 24, 9, 31, 0);
const copilot: Origin = { kind: 'inline', tool: 'github.copilot', model: 'gpt-4o', timestamp: T0 };
const agent: Origin = { kind: 'agent', tool: 'claude-code', timestamp: T0 - 3_600_000 };
const unknown: Origin = { kind: 'unknown', tool: 'disk', timestamp: T0 };

/** Ranges of `text` as the store reports them after marking `marks`. */
function rangesOf(text: string, marks: { at: string; origin: Origin }[]): RangeLike[] {
  const store = new ProvenanceStore();
  const doc = store.getOrCreate('k', text.length);
  for (const m of marks) {
    const start = text.indexOf(m.at);
    assert.ok(start >= 0, `fixture text contains ${JSON.stringify(m.at)}`);
    doc.setOrigin(start, m.at, m.origin);
  }
  return doc.ranges();
}

describe('presentation: line spans', () => {
  const text = ['function a() {', '  return 1;', '}', '', 'const b = 2;', 'const c = 3;', ''].join('\n');

  it('marks the lines whose visible characters are AI and merges consecutive lines', () => {
    const ranges = rangesOf(text, [
      { at: '  return 1;\n}\n', origin: copilot },
      { at: 'const c = 3;', origin: agent },
    ]);
    const spans = aiLineSpans(ranges, lineOfFromText(text));
    assert.deepStrictEqual(spans, [
      { startLine: 1, endLine: 2 },
      { startLine: 5, endLine: 5 },
    ]);
  });

  it('does not mark a line that only got whitespace or a newline from the AI', () => {
    const ranges = rangesOf(text, [{ at: '}\n\nconst b', origin: copilot }]);
    // "}" on line 2 and "const b" on line 4 are visible; the blank line 3 is not.
    assert.deepStrictEqual(aiLineSpans(ranges, lineOfFromText(text)), [
      { startLine: 2, endLine: 2 },
      { startLine: 4, endLine: 4 },
    ]);
    const wsOnly = rangesOf(text, [{ at: '\n\n', origin: copilot }]);
    assert.deepStrictEqual(aiLineSpans(wsOnly, lineOfFromText(text)), []);
    assert.deepStrictEqual(placeAiRanges(wsOnly, lineOfFromText(text)), []);
  });

  it('ignores text of unknown origin', () => {
    const ranges = rangesOf(text, [{ at: 'const b = 2;', origin: unknown }]);
    assert.strictEqual(ranges.length, 1);
    assert.deepStrictEqual(aiLineSpans(ranges, lineOfFromText(text)), []);
  });

  it('places each range on its first and last visible line and counts visible characters', () => {
    const ranges = rangesOf(text, [{ at: ' {\n  return 1;\n', origin: copilot }]);
    const placed = placeAiRanges(ranges, lineOfFromText(text));
    assert.strictEqual(placed.length, 1);
    assert.strictEqual(placed[0].startLine, 0);
    assert.strictEqual(placed[0].endLine, 1);
    assert.strictEqual(placed[0].visibleChars, '{return1;'.length);
    assert.deepStrictEqual(placed[0].origin, copilot);
  });

  it('stays linear: 50,000 AI ranges over 100,000 lines take well under three seconds', () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => `const v${i} = ${i};`);
    const text = lines.join('\n');
    const ranges: RangeLike[] = [];
    let offset = 0;
    for (let i = 0; i < lines.length; i++) {
      if (i % 2 === 0) ranges.push({ start: offset, end: offset + lines[i].length, origin: copilot, text: lines[i] });
      offset += lines[i].length + 1;
    }
    const lineOf = lineOfFromText(text);
    const t0 = process.hrtime.bigint();
    const spans = aiLineSpans(ranges, lineOf);
    const placed = placeAiRanges(ranges, lineOf);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    assert.strictEqual(spans.length, 50_000);
    assert.strictEqual(placed.length, 50_000);
    assert.deepStrictEqual(spans[49_999], { startLine: 99_998, endLine: 99_998 });
    assert.ok(ms < 3000, `took ${ms.toFixed(0)} ms`);
    // Ranges out of document order give the same spans.
    assert.deepStrictEqual(aiLineSpans([...ranges].reverse(), lineOf), spans);
    if (process.env.AI_PROVENANCE_VERBOSE) console.log(`      ${ms.toFixed(1)} ms`);
  });

  it('marks exactly the lines holding a visible AI character, on generated texts and ranges', () => {
    let seed = 11;
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed % n;
    };
    const pieces = ['a', 'x = 1;', ' ', '  ', '\t', '\n', '\r\n', '\n\n', '\u00a0', '}'];
    for (let c = 0; c < 300; c++) {
      let doc = '';
      while (doc.length < 1 + next(150)) doc += pieces[next(pieces.length)];
      const ranges: RangeLike[] = [];
      for (let at = next(5); at < doc.length; ) {
        const end = Math.min(doc.length, at + 1 + next(20));
        ranges.push({ start: at, end, origin: next(4) === 0 ? unknown : copilot, text: doc.slice(at, end) });
        at = end + next(8);
      }
      const lineOf = lineOfFromText(doc);
      // By character: every visible character of an AI range marks its line.
      const marked = new Set<number>();
      for (const r of ranges) {
        if (r.origin.kind === 'unknown') continue;
        for (let i = r.start; i < r.end; i++) if (!/[\s\u00a0\ufeff]/.test(doc[i])) marked.add(lineOf(i));
      }
      const expected: { startLine: number; endLine: number }[] = [];
      for (const l of [...marked].sort((a, b) => a - b)) {
        const last = expected[expected.length - 1];
        if (last && last.endLine === l - 1) last.endLine = l;
        else expected.push({ startLine: l, endLine: l });
      }
      assert.deepStrictEqual(aiLineSpans(ranges, lineOf), expected, `case ${c}: ${JSON.stringify(doc)}`);
    }
  });

  it('lineOfFromText agrees with a naive count', () => {
    const lineOf = lineOfFromText(text);
    for (let i = 0; i <= text.length; i++) {
      assert.strictEqual(lineOf(i), text.slice(0, i).split('\n').length - 1, `offset ${i}`);
    }
  });
});

describe('presentation: labels', () => {
  it('formats times in UTC and relative to now', () => {
    assert.strictEqual(formatUtc(T0), '2026-11-24 09:31 UTC');
    assert.strictEqual(formatAgo(T0, T0 + 10_000), 'just now');
    assert.strictEqual(formatAgo(T0, T0 + 5 * 60_000), '5 min ago');
    assert.strictEqual(formatAgo(T0, T0 + 3 * 3_600_000), '3 h ago');
    assert.strictEqual(formatAgo(T0, T0 + 49 * 3_600_000), '2 days ago');
  });

  it('formats percentages like the status bar (round) and the trailers (floor, never 0% for some)', () => {
    assert.strictEqual(formatPercent(0, 10), '0%');
    assert.strictEqual(formatPercent(1, 0), '0%');
    assert.strictEqual(formatPercent(2, 3), '67%');
    assert.strictEqual(formatPercent(2, 3, 'floor'), '66%');
    assert.strictEqual(formatPercent(1, 400), '0%');
    assert.strictEqual(formatPercent(1, 400, 'floor'), '<1%');
    assert.strictEqual(formatPercent(5, 5, 'floor'), '100%');
  });

  it('names kinds and line spans', () => {
    assert.strictEqual(kindLabel('inline'), 'Inline completion');
    assert.strictEqual(kindLabel('agent'), 'Agent edit');
    assert.strictEqual(formatLineSpan(3, 3), 'line 3');
    assert.strictEqual(formatLineSpan(3, 9), 'lines 3\u20139');
  });
});

describe('presentation: hover', () => {
  const text = 'a\nb = compute()\nc\n';
  const placed = placeAiRanges(rangesOf(text, [{ at: 'compute()\nc', origin: copilot }]), lineOfFromText(text));

  it('describes kind, tool, model, time and lines', () => {
    const md = hoverMarkdown(placed, { now: T0 + 5 * 60_000 })!;
    assert.match(md, /Inline completion/);
    assert.match(md, /`github\.copilot`/);
    assert.match(md, /`gpt-4o`/);
    assert.match(md, /2026-11-24 09:31 UTC \(5 min ago\)/);
    assert.match(md, /lines 2\u20133, 10 non-blank characters/);
    assert.doesNotMatch(md, /command:/);
  });

  it('says when the model is not reported and links the report when asked', () => {
    const p = placeAiRanges(rangesOf(text, [{ at: 'compute', origin: agent }]), lineOfFromText(text));
    const md = hoverMarkdown(p, { now: T0, reportCommand: 'aiProvenance.showReport' })!;
    assert.match(md, /Agent edit/);
    assert.match(md, /_not reported_/);
    assert.match(md, /\(command:aiProvenance\.showReport\)/);
  });

  it('shows the request and its prompt (one line, cut, escaped) when recorded', () => {
    const chat = { kind: 'chat' as const, tool: 'chat', requestId: 'request_7', prompt: `write *it*\nnow ${'x'.repeat(400)}`, timestamp: T0 };
    const p = placeAiRanges(rangesOf(text, [{ at: 'compute', origin: chat }]), lineOfFromText(text));
    const md = hoverMarkdown(p, { now: T0 })!;
    assert.match(md, /\| Request \| `request_7` \|/);
    const row = md.split('\n').find((l) => l.startsWith('| Prompt |'))!;
    assert.ok(row.startsWith('| Prompt | write \\*it\\* now xxx'), row);
    assert.ok(row.endsWith('\u2026 |') && row.length < 340, row);
    assert.doesNotMatch(hoverMarkdown(placed, { now: T0 })!, /Prompt/);
  });

  it('returns nothing when there is no AI range', () => {
    assert.strictEqual(hoverMarkdown([], { now: T0 }), undefined);
  });

  it('escapes what tools report', () => {
    assert.strictEqual(escapeMarkdown('a*b_[c](d)'), 'a\\*b\\_\\[c\\]\\(d\\)');
    assert.strictEqual(inlineCode('x`y'), '``x`y``');
    assert.strictEqual(inlineCode('a|b'), '`a\\|b`');
  });
});

describe('presentation: report model', () => {
  const text = ['one', 'two', 'three', 'four', ''].join('\n');
  const ranges = rangesOf(text, [
    { at: 'two', origin: copilot },
    { at: 'four', origin: agent },
  ]);
  const placed = placeAiRanges(ranges, lineOfFromText(text));

  it('builds the current file section with per-tool shares and range rows', () => {
    const section = buildFileSection({ path: 'src/a.ts', nonBlankLines: 4, aiLineOrigins: [copilot, agent], ranges: placed }, T0 + 60_000);
    assert.strictEqual(section.state, 'tracked');
    if (section.state !== 'tracked') return;
    assert.strictEqual(section.share.percentLabel, '50%');
    assert.strictEqual(section.share.detail, '2 of 4 lines');
    assert.deepStrictEqual(section.tools.map((t) => [t.label, t.value]), [
      ['claude-code', 1],
      ['github.copilot:gpt-4o', 1],
    ]);
    assert.deepStrictEqual(section.ranges.map((r) => [r.line, r.lines, r.kind, r.tool, r.model]), [
      [2, 'line 2', 'inline', 'github.copilot', 'gpt-4o'],
      [4, 'line 4', 'agent', 'claude-code', ''],
    ]);
    assert.strictEqual(section.ranges[0].ago, '1 min ago');
    assert.strictEqual(section.rangesOmitted, 0);
  });

  it('gives each range row the prompt behind it, or nothing', () => {
    const asked = { ...agent, requestId: 's-1', prompt: 'add four' };
    const rows = placeAiRanges(rangesOf(text, [{ at: 'two', origin: copilot }, { at: 'four', origin: asked }]), lineOfFromText(text));
    const section = buildFileSection({ path: 'src/a.ts', nonBlankLines: 4, aiLineOrigins: [copilot, asked], ranges: rows }, T0);
    assert.ok(section.state === 'tracked');
    assert.deepStrictEqual(section.ranges.map((r) => r.prompt), ['', 'add four']);
  });

  it('counts the file as the status bar does', () => {
    const src = ['const a = 1;', 'const b = compute(a);', '', 'export { a, b };', 'x', ''].join('\n');
    const store = new ProvenanceStore();
    const doc = store.getOrCreate('k', src.length);
    doc.setOrigin(src.indexOf('compute(a);'), 'compute(a);', copilot); // 11 of 19 visible: an AI line
    doc.setOrigin(src.indexOf('{ a, b }'), '{ a, b }', agent); // 5 of 13 visible: not an AI line
    doc.setOrigin(src.lastIndexOf('x'), 'x', agent);
    const section = buildFileSection(fileInputOf('f.ts', doc, src, lineOfFromText(src)), T0);
    const status = fileShare(doc, src);
    assert.ok(section.state === 'tracked');
    if (section.state !== 'tracked') return;
    assert.strictEqual(section.aiLines, status.aiLines);
    assert.strictEqual(section.nonBlankLines, status.nonBlankLines);
    assert.strictEqual(section.share.percentLabel, `${status.percent}%`);
    assert.strictEqual(section.share.percentLabel, '50%');
    assert.deepStrictEqual(section.ranges.map((r) => r.lines), ['line 2', 'line 4', 'line 5']);
  });

  it('caps range rows and counts the rest', () => {
    const many = Array.from({ length: REPORT_MAX_RANGE_ROWS + 7 }, (_, i) => ({ ...placed[0], startLine: i, endLine: i }));
    const section = buildFileSection({ path: 'x', nonBlankLines: 1000, aiLineOrigins: [], ranges: many }, T0);
    assert.ok(section.state === 'tracked');
    if (section.state !== 'tracked') return;
    assert.strictEqual(section.ranges.length, REPORT_MAX_RANGE_ROWS);
    assert.strictEqual(section.rangesOmitted, 7);
  });

  it('says why there is no file', () => {
    assert.deepStrictEqual(buildFileSection(undefined, T0, 'nothing open'), { state: 'none', message: 'nothing open' });
  });

  it('sums the staged change per file and per tool', () => {
    const staged = buildStagedSection(
      {
        files: [
          { path: 'a.ts', aiLines: 3, lines: 4, tools: { 'github.copilot:gpt-4o': 3 } },
          { path: 'b.ts', aiLines: 1, lines: 6, tools: { 'github.copilot:gpt-4o': 0, 'claude-code': 1 } },
          { path: 'empty.ts', aiLines: 0, lines: 0, tools: {} },
        ],
        trailers: ['AI-Assisted: yes'],
      },
      'n/a',
    );
    assert.strictEqual(staged.state, 'available');
    if (staged.state !== 'available') return;
    assert.strictEqual(staged.total.detail, '4 of 10 lines');
    assert.strictEqual(staged.total.percentLabel, '40%');
    assert.deepStrictEqual(staged.files.map((f) => [f.label, f.percentLabel]), [
      ['a.ts', '75%'],
      ['b.ts', '16%'],
    ]);
    assert.deepStrictEqual(staged.tools.map((t) => [t.label, t.value]), [
      ['github.copilot:gpt-4o', 3],
      ['claude-code', 1],
    ]);
    assert.deepStrictEqual(staged.trailers, ['AI-Assisted: yes']);
  });

  it('distinguishes an empty staged change from an unavailable summary', () => {
    assert.strictEqual(buildStagedSection({ files: [], trailers: [] }, 'n/a').state, 'empty');
    assert.deepStrictEqual(buildStagedSection(undefined, 'no repository'), { state: 'unavailable', message: 'no repository' });
  });

  it('clamps bars', () => {
    assert.strictEqual(bar('x', 5, 4).percent, 100);
    assert.strictEqual(bar('x', 1, 0).percent, 0);
  });
});

describe('presentation: staged input from the commit flow', () => {
  const range = (startLine: number, endLine: number, tool: string, model?: string) => ({
    startLine,
    endLine,
    kind: 'inline' as const,
    tool,
    ...(model ? { model } : {}),
    trivial: false,
    sha256: '0'.repeat(64),
  });
  const file = (path: string, addedLines: number, aiLines: number, ranges: ReturnType<typeof range>[], skipped?: 'binary') => ({
    path,
    status: 'modified' as const,
    addedLines,
    aiLines,
    nonTrivialAiLines: aiLines,
    addedCharacters: 0,
    aiCharacters: 0,
    ranges,
    ...(skipped ? { skipped } : {}),
  });

  it('counts AI lines per tool from the ranges', () => {
    assert.deepStrictEqual(toolLines(file('a', 10, 6, [range(1, 3, 'copilot', 'gpt-4o'), range(7, 7, 'agent'), range(9, 10, 'copilot', 'gpt-4o')])), {
      'copilot:gpt-4o': 5,
      agent: 1,
    });
  });

  it('keeps the files, formats the trailers and explains the verdict', () => {
    const input = stagedInputFrom({
      change: { files: [file('src/a.ts', 4, 3, [range(2, 4, 'copilot')]), file('logo.png', 0, 0, [], 'binary')], notes: ['logo.png: binary, not analysed'] },
      decision: { flagged: true, reasons: ['3 non-trivial AI lines (threshold 3)'], reviewRequired: 'senior' },
      trailers: [
        { key: 'AI-Assisted', value: 'yes' },
        { key: 'Review-Required', value: 'senior' },
      ],
      manifest: { id: 'abc' },
    });
    assert.deepStrictEqual(input.files, [{ path: 'src/a.ts', aiLines: 3, lines: 4, tools: { copilot: 3 } }]);
    assert.deepStrictEqual(input.trailers, ['AI-Assisted: yes', 'Review-Required: senior']);
    assert.deepStrictEqual(input.notes, [
      'Flagged as AI-assisted: 3 non-trivial AI lines (threshold 3).',
      'Review required: senior.',
      'Manifest abc will be committed with the change.',
      'logo.png: binary, not analysed',
    ]);
    const section = buildStagedSection(input, '');
    assert.ok(section.state === 'available');
    if (section.state === 'available') assert.strictEqual(section.total.percentLabel, '75%');
  });

  it('shows which risk rule fired on which lines, with its reason and links', () => {
    const input = stagedInputFrom({
      change: { files: [file('infra/deploy.sh', 4, 2, [range(2, 3, 'agent')]), file('package.json', 1, 0, [])], notes: [] },
      decision: {
        flagged: true,
        reasons: ['risk rule infra (principal): deploy scripts took S3 down'],
        reviewRequired: 'principal',
        risk: [
          { id: 'infra', level: 'principal', reason: 'deploy scripts took S3 down', links: ['https://wiki.example.com/inc/2025-14'], files: [{ path: 'infra/deploy.sh', lines: [[2, 3]] }] },
          { id: 'deps', level: 'senior', reason: 'typo-squatted package', links: [], files: [{ path: 'infra/deploy.sh', lines: [[2, 3]] }], dependencyFiles: ['package.json'] },
        ],
      },
      trailers: [],
    });
    assert.deepStrictEqual(input.notes, [
      'Flagged as AI-assisted: risk rule infra (principal): deploy scripts took S3 down.',
      'Review required: principal.',
      'Risk rule infra (principal) fired on infra/deploy.sh:2-3: deploy scripts took S3 down (https://wiki.example.com/inc/2025-14).',
      'Risk rule deps (senior) fired on infra/deploy.sh:2-3; dependency files package.json: typo-squatted package.',
    ]);
  });

  it('says why a change with AI lines is not flagged', () => {
    const input = stagedInputFrom({ change: { files: [file('a', 100, 1, [range(1, 1, 't')])], notes: [] }, decision: { flagged: false, reasons: [] }, trailers: [] });
    assert.match(input.notes![0], /Not flagged/);
  });
});

describe('presentation: report page', () => {
  const input = {
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/report.js',
    styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/report.css',
    nonce: 'AbCdEfGh0123456789xyzXYZ',
  };

  it('allows nothing by default, the one script by nonce, styles only from the extension', () => {
    const html = reportPage(input);
    const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)![1];
    assert.strictEqual(csp, contentSecurityPolicy(input.cspSource, input.nonce));
    const directives = csp.split(/;\s*/);
    assert.strictEqual(directives[0], "default-src 'none'");
    assert.ok(directives.includes(`script-src 'nonce-${input.nonce}'`));
    assert.ok(directives.includes(`style-src ${input.cspSource}`));
    assert.ok(!/unsafe-inline|unsafe-eval|(^|\s)\*(\s|;|$)|https?:(\s|;|$)/.test(csp), csp);
  });

  it('loads exactly our script (with the nonce) and stylesheet, and nothing inline', () => {
    const html = reportPage(input);
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.strictEqual(scripts.length, 1);
    assert.match(scripts[0][1], new RegExp(`nonce="${input.nonce}"`));
    assert.match(scripts[0][1], /src="[^"]*\/media\/report\.js"/);
    assert.strictEqual(scripts[0][2], '');
    assert.ok(!/<style|style="/.test(html), 'no inline style');
    const urls = [...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    assert.deepStrictEqual(urls.sort(), [input.scriptUri, input.styleUri].sort());
  });

  it('refuses a weak nonce', () => {
    assert.throws(() => reportPage({ ...input, nonce: 'abc' }));
    assert.throws(() => reportPage({ ...input, nonce: "x' 'unsafe-inline" }));
  });
});
