// The rules Open VSX applies to what it stores, as its server validates a published extension
// (2026): namespace (= `publisher`) and name of letters, digits and `_ - + $ ~`; a version of
// letters, digits and `$ + - , . : ; _`, not `latest`/`pre-release`/`reviews`; text fields
// without control characters and within its limits (255 characters, description 2048, gallery
// colour 16); URLs with a host; gallery theme `dark`/`light`; markdown `github`/`standard`; and a
// licence (Open VSX refuses unlicensed extensions): a `license` field or a LICENSE file.
// Pure: used by packaging/open-vsx-check.js and the unit tests.
'use strict';

const NAME = /^[\w\-+$~]+$/;
const VERSION_CHAR = /^[\p{L}\p{N}$+\-,.:;_]$/u;
const SHORT = 255;
const DESCRIPTION = 2048;
const GALLERY_COLOR = 16;
const LICENSE_FILE = /^extension\/licen[cs]e(\.(md|txt))?$/i;

function badCharacter(s) {
  // Control, format, unassigned, private-use and line/paragraph separator characters.
  return /[\p{Cc}\p{Cf}\p{Cn}\p{Co}\u2028\u2029]/u.test(s);
}

function isUrl(s) {
  try {
    return new URL(s.startsWith('git+') ? s.slice(4) : s).host !== '';
  } catch {
    return false;
  }
}

function urlOf(v) {
  return typeof v === 'string' ? v : v && typeof v.url === 'string' ? v.url : undefined;
}

/**
 * Problems Open VSX would report for `manifest` (the package.json inside the .vsix) with the
 * package's file names `files` (paths inside the zip). Empty when it would accept it.
 */
function openVsxIssues(manifest, files) {
  const issues = [];
  const text = (value, field, limit) => {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      if (typeof v !== 'string') continue;
      if (badCharacter(v)) issues.push(`${field}: contains a control or unassigned character`);
      if (v.length > limit) issues.push(`${field}: longer than ${limit} characters`);
    }
  };
  for (const [field, value] of [['publisher (the Open VSX namespace)', manifest.publisher], ['name', manifest.name]]) {
    if (!value) issues.push(`${field}: missing`);
    else if (!NAME.test(value)) issues.push(`${field}: "${value}" may hold only letters, digits and _ - + $ ~`);
    else if (value.length > SHORT) issues.push(`${field}: longer than ${SHORT} characters`);
  }
  const version = manifest.version;
  if (!version) issues.push('version: missing');
  else if (['latest', 'pre-release', 'reviews'].includes(version)) issues.push(`version: "${version}" is reserved`);
  else if ([...version].some((c) => !VERSION_CHAR.test(c))) issues.push(`version: "${version}" has a character Open VSX refuses`);
  if (!manifest.engines || typeof manifest.engines.vscode !== 'string') issues.push('engines.vscode: missing');
  text(manifest.displayName, 'displayName', SHORT);
  text(manifest.description, 'description', DESCRIPTION);
  text(manifest.categories, 'categories', SHORT);
  text(manifest.keywords, 'keywords', SHORT);
  text(manifest.license, 'license', SHORT);
  for (const field of ['homepage', 'repository', 'bugs']) {
    const url = urlOf(manifest[field]);
    if (url === undefined) continue;
    if (!isUrl(url)) issues.push(`${field}: "${url}" is not a URL`);
    if (url.length > SHORT) issues.push(`${field}: longer than ${SHORT} characters`);
  }
  const banner = manifest.galleryBanner || {};
  text(banner.color, 'galleryBanner.color', GALLERY_COLOR);
  if (banner.theme !== undefined && !['dark', 'light'].includes(banner.theme)) issues.push(`galleryBanner.theme: "${banner.theme}" is not dark or light`);
  if (manifest.markdown !== undefined && !['github', 'standard'].includes(manifest.markdown)) issues.push(`markdown: "${manifest.markdown}" is not github or standard`);
  const hasLicenseFile = files.some((f) => LICENSE_FILE.test(f));
  if (!manifest.license && !hasLicenseFile) issues.push('license: none (Open VSX accepts only licensed extensions: set "license" or ship a LICENSE file)');
  return issues;
}

module.exports = { openVsxIssues, LICENSE_FILE };
