/** The YAML and JSON forms beyond what the vectors hold: IPv6, policies, values the schema does not name, undecodable DNS. */
import { describe, expect, it } from "vitest";
import { type Dnstap, dnstapToJson, dnstapToYaml, MessageType, rfc3339Nano, timestampText } from "../src/index.js";

const v6 = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1]);
const d: Dnstap = {
  type: 1,
  identity: new TextEncoder().encode('res"1\\'),
  message: {
    type: MessageType.FORWARDER_RESPONSE,
    socket_family: 2,
    socket_protocol: 4,
    http_protocol: 2,
    query_address: v6,
    response_port: 443,
    query_port: 0,
    response_time_sec: 1795345673,
    response_time_nsec: 5_000,
    query_zone: Uint8Array.of(7, 101, 120, 97, 109, 112, 108, 101, 0),
    policy: { type: "rpz", rule: Uint8Array.of(0x61, 0x01), action: 1, match: 9 },
    response_message: Uint8Array.of(1, 2, 3),
  },
};

describe("text forms", () => {
  it("YAML: every field named as dnstap's tools name them, bytes escaped, unnamed enum values as numbers", () => {
    expect(dnstapToYaml(d)).toBe(
      [
        "type: MESSAGE",
        'identity: "res\\"1\\\\"',
        "message:",
        "  type: FORWARDER_RESPONSE",
        "  response_time: !!timestamp 2026-11-22 11:07:53.000005",
        "  socket_family: INET6",
        "  socket_protocol: DOH",
        "  http_protocol: HTTP2",
        '  query_address: "2001:db8::1"',
        "  query_port: 0",
        "  response_port: 443",
        '  query_zone: "example."',
        "  policy:",
        '    type: "rpz"',
        '    rule: "a\\001"',
        "    action: NXDOMAIN",
        "    match: 9",
        "  response_message: |",
        "    ;; unparseable DNS message (len): 010203",
        "---",
        "",
      ].join("\n"),
    );
  });

  it("JSON: dnstap -j's shape, zero ports left out, RFC 3339 times with nanoseconds", () => {
    expect(dnstapToJson(d)).toMatchObject({
      type: "MESSAGE",
      identity: 'res"1\\',
      message: {
        type: "FORWARDER_RESPONSE",
        response_time: "2026-11-22T11:07:53.000005Z",
        socket_family: "INET6",
        query_address: "2001:db8::1",
        response_port: 443,
        policy: { type: "rpz", action: "NXDOMAIN", match: "9" },
      },
    });
    expect((dnstapToJson(d).message as Record<string, unknown>).query_port).toBeUndefined();
    expect(rfc3339Nano(0, 0)).toBe("1970-01-01T00:00:00Z");
    expect(rfc3339Nano(1, 120_000_000)).toBe("1970-01-01T00:00:01.12Z");
    expect(timestampText(1, 999_999_999)).toBe("1970-01-01 00:00:01.999999");
  });
});
