import { ManifestFile } from '../core/manifest/schema';
import { Policy } from '../core/policy/policy';
import { decodeUtf8 } from '../git/git';
import { readBlobs } from '../git/blobs';

/**
 * The staged text of each file with AI lines, which the policy's risk rules with `patterns` read
 * (see `core/policy/riskRules.ts`); nothing is read when no rule has patterns.
 */
export async function riskTexts(root: string, policy: Policy, files: readonly ManifestFile[], blobs: ReadonlyMap<string, string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!policy.risk?.rules.some((r) => r.patterns)) return out;
  const wanted = files.filter((f) => f.ranges.length && blobs.has(f.path));
  if (!wanted.length) return out;
  const contents = await readBlobs(root, wanted.map((f) => blobs.get(f.path)!));
  for (const f of wanted) {
    const bytes = contents.get(blobs.get(f.path)!);
    const text = bytes && decodeUtf8(bytes);
    if (text !== undefined) out.set(f.path, text);
  }
  return out;
}
