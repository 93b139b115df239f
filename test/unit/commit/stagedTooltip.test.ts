import * as assert from 'assert';
import { stagedTooltipLines } from '../../../src/commit/stagedTooltip';

describe('commit flow: status bar tooltip lines', () => {
  const files = [
    { aiLines: 3, addedLines: 10 },
    { aiLines: 1, addedLines: 2 },
  ];

  it('gives the staged change AI share over all its files, and says when it is AI-assisted', () => {
    const lines = stagedTooltipLines([{ name: 'repo', files, flagged: true }], false);
    assert.deepStrictEqual(lines?.length, 1);
    assert.match(lines![0], /^Staged: .*AI \(4 of 12 added lines\) \u2014 AI-assisted$/);
  });

  it('names each repository when there are several, and skips those with nothing staged', () => {
    const lines = stagedTooltipLines(
      [
        { name: 'a', files, flagged: false },
        { name: 'b', files: [], flagged: false },
      ],
      true,
    );
    assert.deepStrictEqual(lines?.length, 1);
    assert.match(lines![0], /^Staged \(a\): .*AI \(4 of 12 added lines\)$/);
  });

  it('says nothing when nothing is staged anywhere', () => {
    assert.strictEqual(stagedTooltipLines([{ name: 'a', files: [], flagged: true }], false), undefined);
    assert.strictEqual(stagedTooltipLines([], true), undefined);
  });
});
