#!/usr/bin/env bash
# The main job on bundled sample data — the conformance vectors' capture of a lab DNS world (root,
# TLD, zone and child-zone servers and a recursive resolver): install everything, then run the
# whole passive DNS pipeline and query its output.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2
export PATH="$PWD/node_modules/.bin:$PATH" TZ=UTC
V=test/vectors
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "== 1. the pipeline: capture → base/dnsqr → de-duplicated, bailiwick-checked RRsets → filter → dnstable files"
echo "   nmsg-sensor -p dns.pcap | nmsg-dns-cache --root-hints root.hints | nmsg-dns-filter -f noise.list | dnstable-import - dns.mtbl dnssec.mtbl"
nmsg-sensor -p "$V/pcap/dns.pcap" \
  | nmsg-dns-cache --root-hints "$V/inputs/zones/root.hints" \
  | nmsg-dns-filter -f examples/noise.list \
  | dnstable-import - "$out/dns.mtbl" "$out/dnssec.mtbl"

echo
echo "== 2. lookups on what the pipeline built"
export DNSTABLE_FNAME="$out/dns.mtbl"
set -x
dnstable-lookup rrset www.example.test A
dnstable-lookup rrset '*.example.test' NS
dnstable-lookup rdata ip 192.0.2.80
dnstable-lookup -j rdata name ns1.example.test NS
DNSTABLE_FNAME="$out/dnssec.mtbl" dnstable-lookup rrset another.test DNSKEY | head -6
set +x

echo
echo "== 3. byte compatibility with the C tools on the same capture"
nmsg-sensor -q --no-icmp -p "$V/pcap/dns.pcap" -w "$out/dnsqr.nmsg"
cmp "$out/dnsqr.nmsg" "$V/nmsg/dnsqr.nmsg" && echo "nmsg-sensor --no-icmp: identical to nmsgtool's dnsqr.nmsg"
nmsg-tool -r "$out/dnsqr.nmsg" -c 1 | head -12
nmsg-tool -j "$V/dedupe/dedupe.input.json" -w "$out/dedupe.nmsg"
dnstable-import -q -c none "$out/dedupe.nmsg" "$out/ref.dns.mtbl" "$out/ref.dnssec.mtbl"
cmp "$out/ref.dns.mtbl" "$V/dnstable/dns.none.mtbl" && echo "dnstable-import: identical to dnstable_convert's dns.none.mtbl"
mtbl-verify "$out/ref.dns.mtbl" && mtbl_verify "$out/ref.dns.mtbl" >/dev/null 2>&1 && echo "Debian's libmtbl mtbl_verify agrees"

echo
echo "== 4. the service side: dnstable-server over the pipeline's files, asked by dnsdb-query, dnsdbq and curl"
dnstable-server --no-auth --listen 127.0.0.1:0 "$out/dns.mtbl" "$out/dnssec.mtbl" >"$out/access.log" 2>"$out/server.err" &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$out"' EXIT
url=""
for _ in $(seq 1 100); do
  url=$(sed -n 's/^dnstable-server: listening on //p' "$out/server.err")
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$out/server.err" >&2; exit 1; }
echo "   $url"
export DNSDB_SERVER="$url" DNSDB_API_KEY=demo
set -x
dnsdb-query -r '*.example.test/NS'
dnsdb-query -j -i 192.0.2.80
set +x
if command -v dnsdbq >/dev/null; then (set -x; dnsdbq -j -r www.example.test/A); fi
(set -x; curl -s "$url/dnsdb/v2/lookup/rdata/name/ns1.example.test/NS?limit=2")
kill "$server"
echo "   the access log:"; sed "s/^/   /" "$out/access.log"
wait "$server" 2>/dev/null || true

echo
echo "== 5. live ingest: the same pipeline fed to a running server over NMSG TCP, and a dnsmasq log shipped to it"
keys="$out/keys"
lookup_key=$(dnstable-server keys add --keys "$keys" analyst)
ingest_key=$(dnstable-server keys add --keys "$keys" --role ingest shipper)
printf '%s\n' "$ingest_key" >"$out/ingest.key"
dnstable-server --keys "$keys" --listen 127.0.0.1:0 --store "$out/live" --nmsg-listen tcp:127.0.0.1:0 \
  >"$out/live-access.log" 2>"$out/live.err" &
live=$!
trap 'kill "$live" 2>/dev/null || true; rm -rf "$out"' EXIT
url="" nmsg=""
for _ in $(seq 1 100); do
  url=$(sed -n 's/^dnstable-server: listening on //p' "$out/live.err")
  nmsg=$(sed -n 's/^dnstable-server: reading NMSG on tcp:\(.*\):\([0-9]*\)$/\1\/\2/p' "$out/live.err")
  [ -n "$url" ] && [ -n "$nmsg" ] && break
  sleep 0.1
done
[ -n "$url" ] && [ -n "$nmsg" ] || { cat "$out/live.err" >&2; exit 1; }
echo "   $url, NMSG on $nmsg"
echo "   nmsg-sensor -p dns.pcap | nmsg-dns-cache | nmsg-dns-filter | nmsg-tool -r - --writetcp $nmsg"
nmsg-sensor -p "$V/pcap/dns.pcap" \
  | nmsg-dns-cache --root-hints "$V/inputs/zones/root.hints" \
  | nmsg-dns-filter -f examples/noise.list \
  | nmsg-tool -r - --writetcp "$nmsg"
logs=tools/shipper/test/fixtures/logs
(set -x; dnsrep-shipper run -q --once --server "$url" --key-file "$out/ingest.key" --spool "$out/spool" \
  --format dnsmasq --year 2026 --utc "$logs/dnsmasq/dnsmasq.log")
export DNSDB_SERVER="$url" DNSDB_API_KEY="$lookup_key"
sleep 1 # acknowledged observations are seen by lookups within a second
set -x
dnsdb-query -r '*.example.test/NS'
dnsdb-query -j -r alias.example.test/CNAME
set +x
kill "$live"
wait "$live" 2>/dev/null || true
echo
echo "The web UI: make a user (dnstable-server users add --users users.json NAME reads the password),"
echo "start the server with --users users.json, and open http://127.0.0.1:8080/ (docs/web-ui.md)."

