import * as vscode from 'vscode';
import { AiProvenanceApi, ApiOriginInput, ApiRange, FileShare } from './api';
import { fileShare } from './core/provenance/fileShare';
import { ProvenanceRange } from './core/provenance/provenanceStore';
import { Services, openDocument, storeKey } from './services';

/** Builds the API object returned from `activate()`. */
export function createApi(services: Services, track: (d: vscode.TextDocument) => boolean): AiProvenanceApi & vscode.Disposable {
  const emitter = new vscode.EventEmitter<vscode.Uri>();
  const sub = services.store.onDidChange((key) => emitter.fire(vscode.Uri.parse(key)));

  const toApiRange = (document: vscode.TextDocument | undefined, r: ProvenanceRange): ApiRange => ({
    range: document
      ? new vscode.Range(document.positionAt(r.start), document.positionAt(r.end))
      : new vscode.Range(0, r.start, 0, r.end),
    kind: r.origin.kind,
    tool: r.origin.tool,
    ...(r.origin.model ? { model: r.origin.model } : {}),
    ...(r.origin.requestId ? { requestId: r.origin.requestId } : {}),
    ...(r.origin.copiedFrom ? { copiedFrom: r.origin.copiedFrom } : {}),
    timestamp: r.origin.timestamp,
  });

  return {
    apiVersion: 1,
    getRanges(uri) {
      const key = storeKey(uri);
      const doc = services.store.get(key);
      if (!doc) return [];
      const document = openDocument(key);
      return doc.ranges().map((r) => toApiRange(document, r));
    },
    getRangesIn(uri, range) {
      const key = storeKey(uri);
      const document = openDocument(key);
      const doc = services.store.get(key);
      if (!doc || !document) return [];
      return doc.rangesIn(document.offsetAt(range.start), Math.max(document.offsetAt(range.end), document.offsetAt(range.start) + 1)).map((r) => toApiRange(document, r));
    },
    getFileShare(uri): FileShare | undefined {
      const key = storeKey(uri);
      const document = openDocument(key);
      const doc = services.store.get(key);
      if (!doc || !document) return undefined;
      const s = fileShare(doc, document.getText());
      return { aiLines: s.aiLines, nonBlankLines: s.nonBlankLines, aiCharacters: s.aiCharacters, tools: s.tools };
    },
    recordAiEdit(uri, range, origin: ApiOriginInput) {
      const key = storeKey(uri);
      const document = openDocument(key);
      if (!document || !track(document) || typeof origin?.tool !== 'string' || !origin.tool) return false;
      const doc = services.store.get(key);
      if (!doc) return false;
      const start = document.offsetAt(range.start);
      const text = document.getText(range);
      doc.setOrigin(start, text, {
        kind: origin.kind && origin.kind !== ('unknown' as string) ? origin.kind : 'chat',
        tool: origin.tool,
        ...(origin.model ? { model: origin.model } : {}),
        ...(origin.requestId ? { requestId: origin.requestId } : {}),
        timestamp: Date.now(),
      });
      services.log.info(`recorded through the API: ${text.length} chars by ${origin.tool} in ${uri.toString()}`);
      return true;
    },
    onDidChangeProvenance: emitter.event,
    dispose() {
      sub.dispose();
      emitter.dispose();
    },
  };
}
