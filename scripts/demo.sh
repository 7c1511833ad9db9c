#!/usr/bin/env bash
# The main job on bundled sample data (the conformance vectors' capture of a lab DNS
# world): install everything, then run what dnsrep does today end to end.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2
export PATH="$PWD/node_modules/.bin:$PATH" TZ=UTC
V=test/vectors
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "== 1. base/dnsqr captured by nmsgtool: the first query/response pair, as nmsgtool prints it"
nmsg-tool -r "$V/nmsg/dnsqr.nmsg" -c 1

echo "== 2. the same stream relayed over UDP on loopback and counted"
nmsg-tool -l 127.0.0.1/18430 -c 560 -t 10 -w "$out/relayed.nmsg" &
sleep 1
nmsg-tool -r "$V/nmsg/dnsqr.nmsg" -s 127.0.0.1/18430 --unbuffered
wait
echo "relayed payloads: $(nmsg-tool -r "$out/relayed.nmsg" -J - | wc -l)"

echo "== 3. SIE/dnsdedupe JSON → nmsg (byte-identical to nmsgtool's file)"
nmsg-tool -j "$V/dedupe/dedupe.input.json" -w "$out/dedupe.nmsg"
cmp "$out/dedupe.nmsg" "$V/dedupe/dedupe.nmsg" && echo "identical to nmsgtool's dedupe.nmsg"
nmsg-tool -r "$out/dedupe.nmsg" -c 1

echo "== 4. the passive DNS tables made by dnstable_convert, through our mtbl tools"
mtbl-info "$V/dnstable/dns.mtbl"
mtbl-verify "$V/dnstable/dns.mtbl" "$V/dnstable/dns.dnssec.mtbl"
mtbl-dump "$V/dnstable/dns.mtbl" | head -5
echo "== 5. two mtbl files merged into one (equal keys joined by a concat merge function), zstd-compressed"
mtbl-merge -q -c zstd --merge concat "$V/mtbl/merge.inputA.mtbl" "$V/mtbl/merge.inputB.mtbl" "$out/merged.mtbl"
mtbl-dump "$out/merged.mtbl"

echo "== 6. the dedupe stream imported into dnstable files (byte-identical to dnstable_convert with -c none)"
dnstable-import -c none "$out/dedupe.nmsg" "$out/dns.mtbl" "$out/dns.dnssec.mtbl"
cmp "$out/dns.mtbl" "$V/dnstable/dns.none.mtbl" && echo "identical to dnstable_convert's dns.none.mtbl"

echo "== 7. lookups on the imported data"
export DNSTABLE_FNAME="$out/dns.mtbl"
dnstable-lookup rrset www.example.test A
dnstable-lookup rdata ip 192.0.2.80
dnstable-lookup -j rrset '*.example.test' MX
