/**
 * The report webview's page. Pure, so its security policy is unit-tested: nothing is allowed by
 * default; the one script runs by nonce; styles and images only from the extension's own
 * resources (`cspSource`); no inline script or style, nothing remote.
 */
export interface ReportPageInput {
  /** `webview.cspSource`. */
  readonly cspSource: string;
  /** Webview URIs of media/report.js and media/report.css. */
  readonly scriptUri: string;
  readonly styleUri: string;
  /** A fresh random nonce (base64 letters and digits). */
  readonly nonce: string;
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return ["default-src 'none'", `style-src ${cspSource}`, `img-src ${cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
}

export function reportPage(input: ReportPageInput): string {
  if (!/^[A-Za-z0-9]{16,}$/.test(input.nonce)) throw new Error('nonce must be at least 16 letters or digits');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(input.cspSource, input.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(input.styleUri)}">
<title>AI Provenance</title>
</head>
<body>
<main id="app" aria-live="polite"><p class="muted">Loading\u2026</p></main>
<script nonce="${input.nonce}" src="${attr(input.scriptUri)}"></script>
</body>
</html>`;
}
