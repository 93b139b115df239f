/**
 * One spelling per tool. Extension ids are case-insensitive (`GitHub.copilot-chat` and
 * `github.copilot-chat` are the same extension), and Copilot's inline completions moved between
 * its two extensions, so both are recorded as `github.copilot`.
 */
export function normaliseToolId(id: string): string {
  const lower = id.toLowerCase();
  return lower === 'github.copilot-chat' ? 'github.copilot' : lower;
}
