import * as vscode from 'vscode';
import { UNKNOWN_DISK_TOOL } from '../core/classification/classifier';
import { InsertedSpan, insertedSpans } from '../core/classification/changeSpans';
import { DocumentProvenance, TextChange } from '../core/provenance/provenanceStore';
import { Services, openDocument, storeKey } from '../services';

/**
 * On VS Code Stable a change event does not say that it is VS Code reloading the file from disk
 * (another program, an agent, `git checkout` changed it). A reload leaves the document clean; a
 * person's edit leaves it dirty. The dirty flag settles only after the event, so the check runs a
 * moment later: if the document is then clean at the same version, the text the change inserted
 * is marked `unknown` (from disk, author not known: neither human nor AI). An agent checkpoint
 * that claims the text later wins over this mark. When the provenance is replaced meanwhile (a
 * revert to the saved text gets that text's saved provenance back), the replacement stands.
 */
const SETTLE_MS = 40;

interface Candidate {
  readonly version: number;
  readonly spans: InsertedSpan[];
  /** The provenance the change was applied to. */
  readonly doc: DocumentProvenance | undefined;
}

export class ReloadDetector implements vscode.Disposable {
  private readonly candidates = new Map<string, Candidate>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly services: Services) {}

  /** Notes a change that was classified as human without an edit source. */
  note(document: vscode.TextDocument, changes: readonly TextChange[]): void {
    if (document.uri.scheme !== 'file') return;
    const spans = insertedSpans(changes);
    if (spans.length === 0) return;
    const key = storeKey(document.uri);
    this.candidates.set(key, { version: document.version, spans, doc: this.services.store.get(key) });
    if (!this.timer) this.timer = setTimeout(() => this.settle(), SETTLE_MS);
  }

  private settle(): void {
    this.timer = undefined;
    const pending = [...this.candidates];
    this.candidates.clear();
    for (const [key, candidate] of pending) {
      const document = openDocument(key);
      const doc = this.services.store.get(key);
      if (!document || !doc || doc !== candidate.doc || document.isDirty || document.version !== candidate.version) continue;
      let marked = 0;
      // One change of the store for all the spans marked.
      this.services.store.batch(() => {
        for (const span of candidate.spans) {
          const end = document.positionAt(span.start + span.text.length);
          if (document.getText(new vscode.Range(document.positionAt(span.start), end)) !== span.text) continue;
          // Only text nobody claimed: never overwrite an AI or earlier mark.
          if (doc.rope.taggedRunsIn(span.start, span.start + span.text.length).length > 0) continue;
          doc.setOrigin(span.start, span.text, { kind: 'unknown', tool: UNKNOWN_DISK_TOOL, timestamp: Date.now() });
          marked += span.text.length;
        }
      });
      if (marked > 0) this.services.log.info(`unknown by ${UNKNOWN_DISK_TOOL}: ${marked} chars reloaded from disk in ${document.uri.fsPath} [reload]`);
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
