import { Debouncer, Repeating } from '../core/scheduling/scheduling';
import { TRAILER_ASSISTED_BY, Trailer } from '../core/trailers/trailers';
import { applyTrailers } from '../git/trailers';
import { GitInputBox } from './gitApi';

/**
 * The Source Control message box of one repository: the commit flow's trailers are written into
 * it. Rules:
 * - Only our own trailer lines are ever replaced; the user's text and trailers stay as typed.
 * - Nothing is written into an empty box (a box holding only trailers would commit them as the
 *   subject); the trailers are added once the user has typed a message and paused.
 * - If the user deletes our trailers (and changes nothing else), that is taken as a decision:
 *   no trailers for this commit, in the box or from the hook, until the next commit or the
 *   command "AI Provenance: Restore Commit Trailers". If the whole message is replaced (e.g. a
 *   generated commit message), the trailers come back.
 * - VS Code's `git.addAICoAuthor` adds `Co-authored-by: Copilot` when it commits; we never write
 *   or remove `Co-authored-by`, so both coexist without duplicates or edits to each other.
 */

const BOX_POLL_MS = 1000;
const BOX_IDLE_MS = 1200;

/** What the message box needs from its repository's commit flow. */
export interface MessageBoxOwner {
  readonly root: string;
  readonly log: { info(m: string): void; warn(m: string): void };
  /** The trailers the next commit gets (undefined before the first measurement). */
  trailers(): readonly Trailer[] | undefined;
  /** Measures the staged change again (the hook snapshot records what the box decided). */
  schedule(): void;
  reportError(e: unknown): void;
}

export class MessageBox {
  private readonly poll: Repeating;
  /** The next look at the box, once it may have been idle long enough. */
  private readonly idleCheck = new Debouncer(() => this.updateWhenIdle(), BOX_IDLE_MS);
  private lastSeenBox: string;
  /** When the box was last seen to change (by the poll). */
  private lastBoxChangeAt = 0;
  /** The box value after our last write (undefined: we have not written since the last commit). */
  private lastWritten: string | undefined;
  /** `Assisted-by` values we wrote into the box. */
  private ourAssistedBy: string[] = [];
  private trailersRemoved = false;
  private disposed = false;

  constructor(
    private readonly box: GitInputBox,
    private readonly owner: MessageBoxOwner,
  ) {
    this.lastSeenBox = box.value ?? '';
    this.poll = new Repeating(() => this.watch(), BOX_POLL_MS);
  }

  /** True when the user removed our trailers from this commit's message. */
  get suppressed(): boolean {
    return this.trailersRemoved;
  }

  /** The `Assisted-by` values we wrote into the box. */
  get assistedBy(): string[] {
    return this.ourAssistedBy;
  }

  /** After a commit: the next message starts afresh. */
  afterCommit(): void {
    this.trailersRemoved = false;
    this.lastWritten = undefined;
    this.ourAssistedBy = [];
  }

  /** "Restore Commit Trailers", or nothing staged any more: trailers are written again. */
  restoreTrailers(): void {
    this.trailersRemoved = false;
    this.lastWritten = undefined;
  }

  /** Nothing is staged: a decision to remove the trailers ends with that commit. */
  nothingStaged(): void {
    this.trailersRemoved = false;
  }

  private watch(): void {
    const value = this.box.value;
    if (value === this.lastSeenBox) return;
    this.lastSeenBox = value;
    this.lastBoxChangeAt = Date.now();
    this.updateWhenIdle();
  }

  /**
   * Writes the trailers once the user has stopped typing: the box must hold what the poll saw, and
   * have held it for BOX_IDLE_MS. Writing into a box being typed in would put the next keys after
   * the trailers.
   */
  updateWhenIdle(): void {
    const box = this.box;
    if (this.disposed) return;
    if (box.value !== this.lastSeenBox) {
      this.lastSeenBox = box.value;
      this.lastBoxChangeAt = Date.now();
    }
    const wait = BOX_IDLE_MS - (Date.now() - this.lastBoxChangeAt);
    this.idleCheck.cancel();
    if (wait <= 0) {
      void this.update().catch((e) => this.owner.reportError(e));
      return;
    }
    this.idleCheck.schedule(wait);
  }

  /** Puts the current trailers into the message box (see the rules at the top of this file). */
  private async update(): Promise<void> {
    const trailers = this.owner.trailers();
    const box = this.box;
    if (!trailers || this.disposed) return;
    const value = box.value;
    const options = { cwd: this.owner.root, ourAssistedBy: this.ourAssistedBy };
    if (this.lastWritten !== undefined && value !== this.lastWritten && !this.trailersRemoved) {
      const withoutOurs = await applyTrailers(this.lastWritten, [], options);
      if (withoutOurs.changed && withoutOurs.message.trimEnd() === value.trimEnd()) {
        this.trailersRemoved = true;
        this.lastWritten = value;
        this.owner.log.info('commit flow: our trailers were removed from the message box; none are added to this commit');
        this.owner.schedule(); // the hook snapshot must say so too
        return;
      }
    }
    if (this.trailersRemoved) return;
    const hasText = value.split('\n').some((l) => l.trim() !== '');
    if (!hasText) return;
    const r = await applyTrailers(value, trailers, options);
    if (r.error) {
      this.owner.log.warn(`commit flow: message box not updated: ${r.error}`);
      return;
    }
    const kept = this.ourAssistedBy.filter((v) => trailers.some((t) => t.key === TRAILER_ASSISTED_BY && t.value === v) && r.message.includes(`${TRAILER_ASSISTED_BY}: ${v}`));
    const added = r.added.filter((t) => t.key === TRAILER_ASSISTED_BY).map((t) => t.value);
    const nextAssistedBy = [...new Set([...kept, ...added])];
    if (nextAssistedBy.join('\n') !== this.ourAssistedBy.join('\n')) {
      this.ourAssistedBy = nextAssistedBy;
      this.owner.schedule(); // the hook snapshot records which Assisted-by lines are ours
    }
    if (r.changed) {
      // The user typed meanwhile (or just before, unseen by the poll): wait for the next pause.
      if (box.value !== value || value !== this.lastSeenBox || Date.now() - this.lastBoxChangeAt < BOX_IDLE_MS) return this.updateWhenIdle();
      box.value = r.message;
      this.lastSeenBox = r.message;
    }
    this.lastWritten = r.message;
  }

  dispose(): void {
    this.disposed = true;
    this.idleCheck.dispose();
    this.poll.dispose();
  }
}
