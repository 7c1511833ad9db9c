/**
 * The real dnstap files of the log vectors (Unbound 1.17 via fstrm_capture, BIND 9.18's own
 * writer) decode field for field as the independent decoder (decoded.jsonl) and dnstap-ldns -y
 * (yaml.txt) have them.
 */
import { toHex } from "@dnsrep/util";
import { domainToString, ipv4ToString, ipv6ToString, parseIpv6, parseMessage, rcodeName, rrtypeName } from "@dnsrep/wdns";
import { describe, expect, it } from "vitest";
import { readVectorText } from "../../../test/vectors.js";
import { DNSTAP_CONTENT_TYPE, dnstapToYaml, messageTypeName, socketFamilyName, socketProtocolName } from "../src/index.js";
import { framesOf } from "./frames.js";

const FILES = ["unbound/unbound.dnstap", "named/named.dnstap"];

const addr = (a: Uint8Array | undefined): string | undefined =>
  a === undefined ? undefined : a.length === 4 ? ipv4ToString(a) : ipv6ToString(a);

const noDot = (s: string): string => (s === "." ? "." : s.replace(/\.$/, ""));

/** our decoding in the independent decoder's shape, for the fields both have */
function dnsShape(b: Uint8Array): Record<string, unknown> {
  const m = parseMessage(b);
  const q = m.question[0]!;
  return {
    id: m.id,
    qr: (m.flags & 0x8000) !== 0,
    tc: (m.flags & 0x0200) !== 0,
    rcode: rcodeName(m.rcode),
    qname_raw: domainToString(q.name),
    qtype: rrtypeName(q.rrtype) ?? `TYPE${q.rrtype}`,
    n_authority: m.rrs[1].length,
    n_additional: m.rrs[2].length,
    answer: m.rrs[0].map((r) => ({
      // the independent decoder lower-cases owners
      owner: noDot(domainToString(r.name)).toLowerCase(),
      ttl: r.rrttl,
      type: rrtypeName(r.rrtype) ?? `TYPE${r.rrtype}`,
      ...(r.rrtype === 1 ? { value: addr(r.rdata) } : r.rrtype === 28 ? { value: toHex(r.rdata) } : {}),
    })),
  };
}

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

describe.each(FILES)("%s", (rel) => {
  const lines = readVectorText(`logs/${rel}.decoded.jsonl`)
    .split("\n")
    .filter((l) => l)
    .map((l) => JSON.parse(l));
  const head = lines[0] as { controls: { control: string; fields: [number, string][] }[]; n_messages: number };
  const want = lines.slice(1) as Record<string, any>[];

  it("is a Frame Streams file with dnstap's content type, START … STOP, whatever the chunking", () => {
    expect(head.controls[0]!.fields[0]![1]).toBe(DNSTAP_CONTENT_TYPE);
    const whole = framesOf(rel, 1 << 30);
    expect(whole.messages.length).toBe(head.n_messages);
    expect(whole.reader.contentType).toBe(DNSTAP_CONTENT_TYPE);
    expect(whole.reader.stopped).toBe(true);
    for (const chunk of [1, 3, 7, 4096]) {
      const r = framesOf(rel, chunk);
      expect(r.offsets).toEqual(whole.offsets);
      expect(r.messages.length).toBe(whole.messages.length);
    }
  });

  it("decodes every message field for field as the independent decoder", () => {
    const { messages } = framesOf(rel, 65536);
    expect(messages.length).toBe(want.length);
    messages.forEach((d, i) => {
      const w = want[i]!;
      const m = d.message!;
      const dec = new TextDecoder();
      const got: Record<string, unknown> = {
        identity: dec.decode(d.identity),
        version: dec.decode(d.version),
        type: d.type,
        message: {
          type: messageTypeName(m.type),
          socket_family: socketFamilyName(m.socket_family!),
          socket_protocol: socketProtocolName(m.socket_protocol!),
          query_address: addr(m.query_address),
          response_address: addr(m.response_address),
          query_port: m.query_port,
          response_port: m.response_port,
          query_time_sec: m.query_time_sec,
          query_time_nsec: m.query_time_nsec,
          response_time_sec: m.response_time_sec,
          response_time_nsec: m.response_time_nsec,
          query_zone: m.query_zone ? noDot(domainToString(m.query_zone)) : undefined,
          ...(m.query_message ? { query_message: dnsShape(m.query_message) } : {}),
          ...(m.response_message ? { response_message: dnsShape(m.response_message) } : {}),
        },
      };
      const wm = w.message as Record<string, any>;
      const keys = ["id", "qr", "tc", "rcode", "qname_raw", "qtype", "n_authority", "n_additional", "answer"];
      const expected = {
        identity: w.identity,
        version: w.version,
        type: w.type,
        message: {
          ...pick(
            wm,
            Object.keys(wm).filter((k) => !k.endsWith("_message")),
          ),
          ...(wm.query_message ? { query_message: pick(wm.query_message, keys) } : {}),
          ...(wm.response_message ? { response_message: pick(wm.response_message, keys) } : {}),
        },
      };
      // A/AAAA values compared; other rdata the independent decoder prints its own way
      for (const sec of ["query_message", "response_message"] as const) {
        const e = (expected.message as Record<string, any>)[sec];
        // (AAAA as bytes: the two print v4-mapped addresses differently)
        if (e)
          e.answer = e.answer.map((a: Record<string, unknown>) =>
            a.type === "A"
              ? a
              : a.type === "AAAA"
                ? { ...a, value: toHex(parseIpv6(a.value as string)!) }
                : pick(a, ["owner", "ttl", "type"]),
          );
      }
      expect(JSON.parse(JSON.stringify(got)), `message ${i}`).toEqual(expected);
    });
  });

  it("prints the YAML form dnstap-ldns -y prints, line for line outside the DNS message texts", () => {
    const { messages } = framesOf(rel, 65536);
    const header = (doc: string): string[] => {
      const out: string[] = [];
      let inBlock = false;
      for (const l of doc.split("\n")) {
        if (/^ {2}(query|response)_message: \|$/.test(l)) {
          out.push(l);
          inBlock = true;
        } else if (inBlock && (l.startsWith("    ") || l === "")) continue;
        else {
          inBlock = false;
          out.push(l);
        }
      }
      return out;
    };
    const ours = messages.map((d) => header(dnstapToYaml(d)).join("\n"));
    const theirs = readVectorText(`logs/${rel}.yaml.txt`)
      .split(/^---\n/m)
      .filter((d) => d.trim())
      .map((d) => header(`${d}---\n`).join("\n"));
    expect(ours.length).toBe(theirs.length);
    for (const [i, o] of ours.entries()) expect(o, `document ${i}`).toBe(theirs[i]);
  });
});
