import * as assert from 'assert';
import { BlameJson, blamedSpans, committedHoverMarkdown, fromBlameJson, shiftLines } from '../../../../src/core/blame/editorBlame';

const SHA = 'c0ffee'.padEnd(40, '0');

function json(aiLines: number[], total: number): BlameJson {
  return {
    lines: Array.from({ length: total }, (_, i) => ({
      line: i + 1,
      commit: SHA,
      status: aiLines.includes(i + 1) ? 'ai' : 'human',
      kind: aiLines.includes(i + 1) ? 'chat' : null,
      tool: aiLines.includes(i + 1) ? 'github.copilot' : null,
      model: aiLines.includes(i + 1) ? 'gpt-4o' : null,
      conversation: null,
      orig_path: 'src/a.ts',
      orig_line: i + 1,
    })),
    commits: { [SHA]: { author: 'Ada', date: '2026-11-02T12:00:00Z', subject: 'Add a', review_required: 'senior', reviewed_by: ['Sam Senior <sam@example.com>'], flagged: true } },
  };
}

describe('editor AI blame', () => {
  it('keeps committed AI lines only, and moves them with edits as VS Code moves blame', () => {
    const { lines, commits } = fromBlameJson(json([3, 4, 5, 9], 10), 10);
    assert.deepStrictEqual(blamedSpans(lines), [[2, 4], [8, 8]]);
    assert.strictEqual(commits.get(SHA)!.reviewRequired, 'senior');
    shiftLines(lines, 0, 0, 2); // two lines inserted at the top (an edit on line 0 that adds 2 newlines)
    assert.deepStrictEqual(blamedSpans(lines), [[4, 6], [10, 10]]);
    shiftLines(lines, 5, 5, 0); // typing inside an AI line: that line loses its mark until blamed again
    assert.deepStrictEqual(blamedSpans(lines), [[4, 4], [6, 6], [10, 10]]);
    shiftLines(lines, 7, 9, 0); // three lines joined into one above the last AI line
    assert.deepStrictEqual(blamedSpans(lines), [[4, 4], [6, 6], [8, 8]]);
    assert.strictEqual(lines.length, 10);
  });

  it('names commit, tool, model, review and says when no conversation is recorded', () => {
    const { lines, commits } = fromBlameJson(json([1], 1), 1);
    const md = committedHoverMarkdown(lines[0]!, commits.get(SHA));
    assert.match(md, /\| Commit \| `c0ffee000000` Add a \|/);
    assert.match(md, /\| Tool \| `github\.copilot` \|/);
    assert.match(md, /\| Model \| `gpt-4o` \|/);
    assert.match(md, /\| Review \| senior, reviewed by Sam Senior \\<sam@example\\\.com\\> \|/);
    assert.match(md, /\| Conversation \| _not recorded in the commit_ \|/);
    const withConversation = committedHoverMarkdown({ ...lines[0]!, conversation: 'req-1' }, undefined);
    assert.match(withConversation, /\| Conversation \| `req-1` \|/);
    assert.doesNotMatch(withConversation, /Prompt/);
  });

  it('shows the prompt the manifest keeps, or says it is kept as a hash only', () => {
    const j = json([1], 1);
    const line = { ...j.lines[0], conversation: 'req-1', prompt: 'add a *divide*\nfunction | now', prompt_sha256: 'ab'.repeat(32) };
    const withText = fromBlameJson({ ...j, lines: [line] }, 1).lines[0]!;
    assert.match(committedHoverMarkdown(withText, undefined), /\| Prompt \| add a \\\*divide\\\* function \\\| now \|/);
    const hashOnly = fromBlameJson({ ...j, lines: [{ ...line, prompt: null }] }, 1).lines[0]!;
    assert.match(committedHoverMarkdown(hashOnly, undefined), /\| Prompt \| _kept as a hash only_ `abababababab` \|/);
  });
});
