import * as assert from 'assert';
import {
  CommitMode,
  GitExtensionStatus,
  commitMode,
  gitExtensionProblem,
  hooksModeLogLine,
  noRepositoryMessage,
  planRepositories,
  restoreTrailersUnavailable,
} from '../../../../src/core/gitExtension/commitMode';

const open = { openInGitExtension: true, gitEnabled: true };
const notOpen = { openInGitExtension: false, gitEnabled: true };
const folderOff = { openInGitExtension: false, gitEnabled: false };

describe('commit mode without the Git extension', () => {
  it('the Git extension with the repository open: the message box is used', () => {
    assert.strictEqual(commitMode(true, 'ready', open), 'scm');
  });

  it('Git extension disabled, turned off (git.enabled false), failed or too slow: the git executable is used', () => {
    for (const status of ['missing', 'off', 'failed', 'slow'] as GitExtensionStatus[]) {
      assert.strictEqual(commitMode(true, status, notOpen), 'hooks', status);
      assert.strictEqual(commitMode(true, status, folderOff), 'hooks', status);
    }
  });

  it('git.enabled false for the repository\'s folder while the Git extension runs: the git executable is used', () => {
    assert.strictEqual(commitMode(true, 'ready', folderOff), 'hooks');
  });

  it('the Git extension runs and has not opened an enabled repository, or is still starting: nothing yet', () => {
    assert.strictEqual(commitMode(true, 'ready', notOpen), 'none');
    assert.strictEqual(commitMode(true, 'pending', notOpen), 'none');
    assert.strictEqual(commitMode(true, 'pending', folderOff), 'none');
  });

  it('an untrusted workspace: nothing, whatever the Git extension does', () => {
    for (const status of ['ready', 'missing', 'off', 'failed', 'slow', 'pending'] as GitExtensionStatus[]) {
      assert.strictEqual(commitMode(false, status, open), 'none', status);
      assert.strictEqual(commitMode(false, status, folderOff), 'none', status);
    }
  });
});

describe('which commit flows to start and stop', () => {
  const running = (entries: [string, Exclude<CommitMode, 'none'>][]) => new Map(entries);

  it('starts a repository found with git when the Git extension is disabled', () => {
    const plan = planRepositories(true, 'missing', running([]), [{ root: '/r', ...notOpen }]);
    assert.deepStrictEqual(plan, { open: [{ root: '/r', mode: 'hooks' }], close: [] });
  });

  it('git.enabled turned off at runtime: the Git extension closed it, it continues through git', () => {
    const plan = planRepositories(true, 'ready', running([['/r', 'scm']]), [{ root: '/r', ...folderOff }]);
    assert.deepStrictEqual(plan, { open: [{ root: '/r', mode: 'hooks' }], close: ['/r'] });
  });

  it('the Git extension opens it again: back to the message box', () => {
    const plan = planRepositories(true, 'ready', running([['/r', 'hooks']]), [
      { root: '/r', ...notOpen },
      { root: '/r', ...open },
    ]);
    assert.deepStrictEqual(plan, { open: [{ root: '/r', mode: 'scm' }], close: ['/r'] });
  });

  it('nothing to do when every repository already runs in its mode', () => {
    const plan = planRepositories(true, 'ready', running([['/a', 'scm'], ['/b', 'hooks']]), [
      { root: '/a', ...open },
      { root: '/b', ...folderOff },
    ]);
    assert.deepStrictEqual(plan, { open: [], close: [] });
  });

  it('stops flows whose repository is gone or that trust no longer allows', () => {
    assert.deepStrictEqual(planRepositories(true, 'ready', running([['/gone', 'scm']]), []), { open: [], close: ['/gone'] });
    assert.deepStrictEqual(planRepositories(false, 'missing', running([['/r', 'hooks']]), [{ root: '/r', ...notOpen }]), { open: [], close: ['/r'] });
  });
});

describe('what the user is told without the Git extension', () => {
  it('one log line that says what still works and what does not', () => {
    const problem = gitExtensionProblem('missing')!;
    assert.match(problem, /vscode\.git.*disabled/);
    const line = hooksModeLogLine(problem);
    assert.match(line, /cannot be written into the Source Control message box/);
    assert.match(line, /commit hook/);
    assert.match(line, /recorded, shown and saved/);
    assert.match(gitExtensionProblem('off')!, /git\.enabled is false/);
    assert.match(gitExtensionProblem('failed', 'boom')!, /failed to start \(boom\)/);
    assert.match(gitExtensionProblem('slow', '30 s')!, /after 30 s/);
    assert.strictEqual(gitExtensionProblem('ready'), undefined);
    assert.strictEqual(gitExtensionProblem('pending'), undefined);
  });

  it('Restore Commit Trailers says why and points to the commit hook', () => {
    const m = restoreTrailersUnavailable(gitExtensionProblem('off'));
    assert.match(m, /message box, which belongs to the built-in Git extension, and the built-in Git extension is turned off/);
    assert.match(m, /Install Commit Hook/);
    assert.match(restoreTrailersUnavailable(undefined), /no repository is open/);
  });

  it('a command without a repository tells a missing git from a folder that is not a repository', () => {
    assert.match(noRepositoryMessage(true), /git was not found/);
    assert.match(noRepositoryMessage(false), /no git repository is open/);
  });
});
