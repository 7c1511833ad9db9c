#!/usr/bin/env bash
# Install everything dnsrep needs on a fresh Debian machine with Node 20:
# Debian packages (the C toolchain node-gyp needs, libpcap-dev for live capture, mtbl-bin as the independent
# libmtbl reader used in tests), the workspace's npm packages, and the build.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
# the C toolchain node-gyp needs for the native parts (pcap, CRC32C, zlib bindings)
dpkg -s build-essential >/dev/null 2>&1 || need_apt+=(build-essential)
dpkg -s g++ >/dev/null 2>&1 || need_apt+=(g++)
dpkg -s make >/dev/null 2>&1 || need_apt+=(make)
dpkg -s python3 >/dev/null 2>&1 || need_apt+=(python3)
dpkg -s libpcap-dev >/dev/null 2>&1 || need_apt+=(libpcap-dev)
dpkg -s mtbl-bin >/dev/null 2>&1 || need_apt+=(mtbl-bin)
dpkg -s libdeflate-dev >/dev/null 2>&1 || need_apt+=(libdeflate-dev)
# dnstable-server tests: Debian's dnsdbq (the DNSDB client), curl, openssl (a TLS test certificate)
dpkg -s dnsdbq >/dev/null 2>&1 || need_apt+=(dnsdbq)
dpkg -s curl >/dev/null 2>&1 || need_apt+=(curl)
dpkg -s openssl >/dev/null 2>&1 || need_apt+=(openssl)
# dnstap peers for the tests: fstrm_replay/fstrm_dump, the Go dnstap reader, a real Unbound
dpkg -s fstrm-bin >/dev/null 2>&1 || need_apt+=(fstrm-bin)
dpkg -s golang-github-dnstap-golang-dnstap-cli >/dev/null 2>&1 || need_apt+=(golang-github-dnstap-golang-dnstap-cli)
dpkg -s unbound >/dev/null 2>&1 || need_apt+=(unbound)
# GeoIP/ASN enrichment tests: mmdblookup (libmaxminddb's reader) as the independent check of the
# stamps, and the MaxMind DB writer that makes the test databases (packages/enrich/test/fixtures)
dpkg -s mmdb-bin >/dev/null 2>&1 || need_apt+=(mmdb-bin)
dpkg -s libmaxmind-db-writer-perl >/dev/null 2>&1 || need_apt+=(libmaxmind-db-writer-perl)
# the web UI's browser tests: Debian's Chromium (driven by playwright-core) and fonts for its pages
dpkg -s chromium >/dev/null 2>&1 || need_apt+=(chromium)
dpkg -s fonts-liberation >/dev/null 2>&1 || need_apt+=(fonts-liberation)
if [ "${#need_apt[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${need_apt[*]}" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "setup: please install Debian packages: ${need_apt[*]} (the native parts, live capture and the libmtbl cross-checks need them)" >&2
  fi
fi

export npm_config_nodedir=/usr
PNPM="npx --yes pnpm@12.21.0"
if [ -n "${CI:-}" ]; then
  $PNPM install --frozen-lockfile --reporter=append-only >&2
else
  $PNPM install --reporter=append-only >&2
fi
# the optional native parts: @dnsrep/util's CRC32C (SSE4.2), @dnsrep/mtbl's libdeflate binding and @dnsrep/nmsg's system-zlib binding
# for zlib blocks. pnpm builds them with the packages' install scripts on a fresh install; this
# builds one again only when it is missing or older than its source (an install pnpm skipped as up
# to date). Without them the portable code runs; on CI a test fails so a broken build is not missed.
GYP="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
for pkg in util mtbl nmsg; do
  dir="packages/$pkg"
  addon=$(ls "$dir"/build/Release/*.node 2>/dev/null | head -n 1 || true)
  if [ -n "$addon" ] && [ -z "$(find "$dir/native" "$dir/binding.gyp" -newer "$addon" 2>/dev/null)" ]; then continue; fi
  (cd "$dir" && node "$GYP" rebuild --loglevel=warn >&2) ||
    echo "setup: the native part of $dir was not built; its portable code will run" >&2
done
npx tsc -b
# the web UI's static files (packages/web/www): typechecked, bundled by esbuild, size printed
node packages/web/scripts/build.mjs
# each tool's entry point as one CommonJS file with V8's code cache (tools/*/dist/bundle): the bin
# scripts start from it (issue 30), and run the modules instead when it is missing or stale
node scripts/bundle-tools.mjs
