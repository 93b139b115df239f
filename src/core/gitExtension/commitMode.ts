/**
 * How the commit flow reaches each repository, decided without VS Code (unit-tested):
 *
 * - `scm`: through the built-in Git extension (`vscode.git`), which has the repository open.
 *   Everything works, including trailers in the Source Control message box.
 * - `hooks`: through the git executable only, because the Git extension is not available: it is
 *   disabled or not installed, `git.enabled` is false (for the whole window or for the
 *   repository's folder), it failed, or it has not started in time. The staged change's AI
 *   share, its manifest and the snapshot the commit hooks read are kept up to date, so terminal
 *   commits with the hook installed get trailers and the manifest. The message box cannot be
 *   written: it belongs to the Git extension.
 * - `none`: nothing. The workspace is not trusted, the Git extension is still starting, or it
 *   is enabled and has not opened the repository (it decides which repositories are open).
 *
 * Capture, decorations, the status bar and persistence never depend on the Git extension.
 */

/** What the built-in Git extension offers. */
export type GitExtensionStatus =
  /** Its API is available. */
  | 'ready'
  /** Still activating (within the time we wait for it). */
  | 'pending'
  /** Disabled as an extension, or not installed. */
  | 'missing'
  /** Activated but reports `enabled: false` (`git.enabled` is false, or it found no git). */
  | 'off'
  /** Activation or `getAPI(1)` threw. */
  | 'failed'
  /** Not activated after the time we wait for it (it may still come). */
  | 'slow';

export type CommitMode = 'scm' | 'hooks' | 'none';

export interface RepositoryFacts {
  /** Working tree root. */
  readonly root: string;
  /** The Git extension has this repository open. */
  readonly openInGitExtension: boolean;
  /** `git.enabled` for the repository's folder. */
  readonly gitEnabled: boolean;
}

/** The mode of one repository. */
export function commitMode(trusted: boolean, status: GitExtensionStatus, repo: Omit<RepositoryFacts, 'root'>): CommitMode {
  if (!trusted) return 'none';
  if (status === 'ready' && repo.openInGitExtension) return 'scm';
  if (status === 'pending') return 'none';
  if (status !== 'ready') return 'hooks';
  return repo.gitEnabled ? 'none' : 'hooks';
}

export interface RepositoryPlan {
  /** Repositories whose commit flow must (re)start in this mode. */
  readonly open: ReadonlyArray<{ readonly root: string; readonly mode: Exclude<CommitMode, 'none'> }>;
  /** Roots whose current commit flow must stop (before any `open` of the same root). */
  readonly close: readonly string[];
}

/**
 * What to start and stop: `current` is the mode each running flow has, `candidates` every
 * repository known (opened by the Git extension or found with the git executable; a root
 * listed twice counts as open in the Git extension if either entry says so).
 */
export function planRepositories(
  trusted: boolean,
  status: GitExtensionStatus,
  current: ReadonlyMap<string, Exclude<CommitMode, 'none'>>,
  candidates: readonly RepositoryFacts[],
): RepositoryPlan {
  const facts = new Map<string, RepositoryFacts>();
  for (const c of candidates) {
    const seen = facts.get(c.root);
    facts.set(c.root, seen ? { root: c.root, openInGitExtension: seen.openInGitExtension || c.openInGitExtension, gitEnabled: seen.gitEnabled && c.gitEnabled } : c);
  }
  const open: { root: string; mode: Exclude<CommitMode, 'none'> }[] = [];
  const close: string[] = [];
  for (const [root, mode] of current) {
    const f = facts.get(root);
    const want = f ? commitMode(trusted, status, f) : 'none';
    if (want !== mode) close.push(root);
  }
  for (const f of facts.values()) {
    const want = commitMode(trusted, status, f);
    if (want !== 'none' && current.get(f.root) !== want) open.push({ root: f.root, mode: want });
  }
  return { open, close };
}

/** Why the Git extension cannot be used, for the log and messages; undefined when it can. */
export function gitExtensionProblem(status: GitExtensionStatus, detail?: string): string | undefined {
  switch (status) {
    case 'missing':
      return 'the built-in Git extension (vscode.git) is disabled or not installed';
    case 'off':
      return 'the built-in Git extension is turned off (git.enabled is false, or it found no git executable)';
    case 'failed':
      return `the built-in Git extension failed to start${detail ? ` (${detail})` : ''}`;
    case 'slow':
      return `the built-in Git extension has not started${detail ? ` after ${detail}` : ''}`;
    default:
      return undefined;
  }
}

/** The one log line for repositories handled without the Git extension. */
export function hooksModeLogLine(problem: string): string {
  return (
    `commit flow: ${problem}. Commit trailers cannot be written into the Source Control message box. ` +
    'Provenance is still recorded, shown and saved, and the staged change\'s AI share, its manifest and the commit hook ' +
    '(trailers for terminal commits) work through the git executable.'
  );
}

/** The problem for a repository whose folder has `git.enabled: false` while the extension runs. */
export function folderDisabledProblem(root: string): string {
  return `git.enabled is false for ${root}, so the built-in Git extension does not open it`;
}

/** What "Restore Commit Trailers" says when no repository has a message box to restore into. */
export function restoreTrailersUnavailable(problem: string | undefined): string {
  const why = problem ?? 'no repository is open in the built-in Git extension';
  return (
    `AI Provenance: commit trailers go into the Source Control message box, which belongs to the built-in Git extension, and ${why}. ` +
    'For commits from a terminal, install the commit hook ("AI Provenance: Install Commit Hook").'
  );
}

/** What a command that needs a repository says when there is none. */
export function noRepositoryMessage(gitMissing: boolean): string {
  return gitMissing
    ? 'AI Provenance: git was not found; install git or put it on PATH to use the commit integration.'
    : 'AI Provenance: no git repository is open (open a folder that is a git repository).';
}
