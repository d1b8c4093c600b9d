#!/usr/bin/env bash
# Installs what the end-to-end tests and `npm start` need on a fresh machine, and nothing that is
# already in place (a second run takes about a second):
#   - Debian packages: chromium (the browser Playwright drives), libkrb5-dev and ripgrep (so that
#     code-server's install can build its native modules offline);
#   - the ripgrep "cache trick": @vscode/ripgrep downloads rg from GitHub in its postinstall unless a
#     tarball of the expected name is in its cache folder, so Debian's rg is put there;
#   - code-server 4.100.3 (VS Code 1.100.3, the newest that runs on Node 20) into a tools folder
#     outside the repository: ${SPINKUBE_TOOLS:-$HOME/.cache/spinkube-vscode-tools}.
# Only the npm registry and Debian are used. See ../shared/TESTING-OFFLINE.md for why each step exists.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
RIPGREP_PKG_VERSION=1.15.11
RIPGREP_TARBALL=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
# The same home directory Node's os.homedir() uses (run.mjs and start.mjs look there), even without $HOME.
home="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
TOOLS="${SPINKUBE_TOOLS:-$home/.cache/spinkube-vscode-tools}"
export DEBIAN_FRONTEND=noninteractive

log() { printf '[e2e setup] %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# 1. Debian packages, only those missing.
missing=()
for pkg in chromium libkrb5-dev ripgrep; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "Debian packages already installed (chromium, libkrb5-dev, ripgrep)"
fi

# 2. code-server, unless the right version finished installing before.
marker="$TOOLS/.code-server-$CODE_SERVER_VERSION.ok"
bin="$TOOLS/node_modules/.bin/code-server"
if [ -f "$marker" ] && [ -x "$bin" ]; then
  log "code-server $CODE_SERVER_VERSION already installed in $TOOLS"
  exit 0
fi

# The cached ripgrep download @vscode/ripgrep looks for, made from Debian's rg.
cache="$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION"
if [ ! -s "$cache/$RIPGREP_TARBALL" ]; then
  log "placing Debian's rg as $cache/$RIPGREP_TARBALL"
  mkdir -p "$cache"
  staging="$(mktemp -d)"
  cp "$(command -v rg)" "$staging/rg"
  tar -czf "$cache/$RIPGREP_TARBALL" -C "$staging" rg
  rm -rf "$staging"
fi

log "installing code-server $CODE_SERVER_VERSION into $TOOLS (takes 1.5-2.5 minutes)"
mkdir -p "$TOOLS"
rm -f "$TOOLS"/.code-server-*.ok
[ -f "$TOOLS/package.json" ] || printf '{ "name": "spinkube-vscode-tools", "private": true }\n' >"$TOOLS/package.json"
t0=$(date +%s)
# unsafe_perm: code-server's postinstall refuses to run as root otherwise;
# yes: node-pty's postinstall runs `npx node-gyp`, which would otherwise ask before installing.
npm_config_unsafe_perm=true npm_config_yes=true \
  npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error \
  "code-server@$CODE_SERVER_VERSION"
"$bin" --version >/dev/null
touch "$marker"
log "code-server installed in $(($(date +%s) - t0)) s: $("$bin" --version | head -1)"
