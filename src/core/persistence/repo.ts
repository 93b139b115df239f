import * as fs from 'fs';
import * as path from 'path';

/**
 * Finds the git repository of a file and where its state lives. `git rev-parse` runs once per
 * repository root; when git cannot be run (not installed: spawn ENOENT; workspace not trusted;
 * refused, e.g. `safe.directory`), the `.git` entry is read directly instead, so provenance is kept
 * with the repository either way. Files in no repository have no RepoInfo (callers then use the
 * extension's storage).
 */

export interface RepoInfo {
  /** Working tree root (absolute). */
  readonly root: string;
  /** This working tree's git directory (absolute; differs from commonDir for linked worktrees). */
  readonly gitDir: string;
  /** The repository's common git directory (absolute). */
  readonly commonDir: string;
  /** How it was found. */
  readonly via: 'git' | 'dotgit';
}

/**
 * Runs git (the git runner, passed in: this module starts no process) and resolves to its stdout;
 * rejects with an error whose `kind` is 'git-missing' (the runner's code) or whose `code` is
 * 'ENOENT' when git is missing.
 */
export type GitRunner = (args: string[], cwd: string) => Promise<string>;

/** True for the error of a git that could not be found. */
function isGitMissing(e: unknown): boolean {
  const err = e as { kind?: unknown; code?: unknown } | undefined;
  return err?.kind === 'git-missing' || err?.code === 'ENOENT';
}

/** The state directory of a repository (per working tree). */
export function repoStateDir(repo: Pick<RepoInfo, 'gitDir'>): string {
  return path.join(repo.gitDir, 'ai-provenance');
}

/** Repository-relative path with forward slashes, or undefined when `file` is outside `root`. */
export function repoRelative(root: string, file: string): string | undefined {
  const rel = path.relative(root, file);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

/** Reads `.git` (directory, or a `gitdir:` file) without running git. */
export function readDotGit(root: string): Omit<RepoInfo, 'via'> | undefined {
  const dotGit = path.join(root, '.git');
  let gitDir: string;
  try {
    const st = fs.statSync(dotGit);
    if (st.isDirectory()) gitDir = dotGit;
    else {
      const m = /^gitdir:\s*(.+?)\s*$/m.exec(fs.readFileSync(dotGit, 'utf8'));
      if (!m) return undefined;
      gitDir = path.resolve(root, m[1]);
    }
  } catch {
    return undefined;
  }
  let commonDir = gitDir;
  try {
    commonDir = path.resolve(gitDir, fs.readFileSync(path.join(gitDir, 'commondir'), 'utf8').trim());
  } catch {
    /* not a linked worktree */
  }
  return { root, gitDir, commonDir };
}

export class RepoLocator {
  private readonly rootOfDir = new Map<string, string | null>();
  private readonly infoOfRoot = new Map<string, Promise<RepoInfo | undefined>>();
  private gitMissingReported = false;

  /** `runGit` undefined: never run git (untrusted workspace), read `.git` only. */
  constructor(
    private readonly runGit: GitRunner | undefined,
    private readonly log: { info(m: string): void; warn(m: string): void },
  ) {}

  /** The nearest enclosing directory that holds a `.git` entry. */
  findRoot(filePath: string): string | undefined {
    const seen: string[] = [];
    let dir = path.dirname(path.resolve(filePath));
    let found: string | null | undefined;
    for (;;) {
      const cached = this.rootOfDir.get(dir);
      if (cached !== undefined) {
        found = cached;
        break;
      }
      seen.push(dir);
      if (fs.existsSync(path.join(dir, '.git'))) {
        found = dir;
        break;
      }
      const parent = path.dirname(dir);
      if (parent === dir) {
        found = null;
        break;
      }
      dir = parent;
    }
    for (const d of seen) this.rootOfDir.set(d, found);
    return found ?? undefined;
  }

  async locate(filePath: string): Promise<RepoInfo | undefined> {
    const root = this.findRoot(filePath);
    if (!root) return undefined;
    let info = this.infoOfRoot.get(root);
    if (!info) {
      info = this.resolve(root);
      this.infoOfRoot.set(root, info);
    }
    return info;
  }

  /** Forgets cached answers (e.g. after `git init` in a folder). */
  clear(): void {
    this.rootOfDir.clear();
    this.infoOfRoot.clear();
  }

  private async resolve(root: string): Promise<RepoInfo | undefined> {
    if (this.runGit) {
      try {
        const out = (await this.runGit(['rev-parse', '--absolute-git-dir', '--git-common-dir'], root)).split(/\r?\n/).filter(Boolean);
        if (out.length >= 2) return { root, gitDir: path.resolve(root, out[0]), commonDir: path.resolve(root, out[1]), via: 'git' };
      } catch (e) {
        if (isGitMissing(e)) {
          if (!this.gitMissingReported) {
            this.gitMissingReported = true;
            this.log.warn('git was not found (spawn git ENOENT); repositories are located by reading .git directly. Install git or set git.path for commit integration.');
          }
        } else {
          this.log.warn(`git rev-parse failed in ${root} (${(e as Error).message.split('\n')[0]}); reading .git directly`);
        }
      }
    }
    const direct = readDotGit(root);
    if (!direct) {
      this.log.warn(`${path.join(root, '.git')} is not a usable git entry; files under ${root} are kept in the extension's storage`);
      return undefined;
    }
    return { ...direct, via: 'dotgit' };
  }
}
