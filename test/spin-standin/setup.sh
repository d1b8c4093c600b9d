#!/usr/bin/env bash
# Installs what the spin toolchain tests need on a fresh machine and nothing that is already there:
# Debian's docker-registry package (a real OCI distribution registry; the tests start it themselves on
# 127.0.0.1 with throw-away storage — the package's own service is never started), and Debian's
# cargo unless a cargo is on PATH already (e.g. rustup's), for the in-host test that builds a Rust app
# in a `spin` task (test/integration/spinTasks.test.ts; it fetches no crates). The stand-in spin,
# the JS component tools (@spinframework/build-tools, jco) come from the repository's devDependencies.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
log() { printf '[spin setup] %s\n' "$*"; }
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
if dpkg-query -W -f='${Status}' docker-registry 2>/dev/null | grep -q "install ok installed"; then
  log "docker-registry already installed"
else
  log "installing Debian package docker-registry"
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends docker-registry >/dev/null
fi
# The package enables a system service on port 5000; the tests never use it. Stop it where systemd runs.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then
  as_root systemctl stop docker-registry || true
fi
/usr/bin/docker-registry --version
if command -v cargo >/dev/null 2>&1; then
  log "cargo already on PATH ($(command -v cargo))"
else
  log "installing Debian package cargo"
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends cargo >/dev/null
fi
cargo --version
