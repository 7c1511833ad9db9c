#!/usr/bin/env bash
# Install everything dnsrep needs on a fresh Debian machine with Node 20:
# Debian packages (libpcap-dev for live capture, mtbl-bin as the independent
# libmtbl reader used in tests), the workspace's npm packages, and the build.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
dpkg -s libpcap-dev >/dev/null 2>&1 || need_apt+=(libpcap-dev)
dpkg -s mtbl-bin >/dev/null 2>&1 || need_apt+=(mtbl-bin)
if [ "${#need_apt[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${need_apt[*]}" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "setup: please install Debian packages: ${need_apt[*]} (live capture and libmtbl cross-checks need them)" >&2
  fi
fi

export npm_config_nodedir=/usr
PNPM="npx --yes pnpm@12.21.0"
if [ -n "${CI:-}" ]; then
  $PNPM install --frozen-lockfile --reporter=append-only >&2
else
  $PNPM install --reporter=append-only >&2
fi
# the optional native CRC32C of @dnsrep/util (SSE4.2); without it the portable code runs,
# and on CI a test fails so a broken build is not missed
GYP="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
(cd packages/util && node "$GYP" rebuild --loglevel=warn >&2) ||
  echo "setup: native CRC32C (packages/util/native) not built; the portable code will run" >&2
npx tsc -b
