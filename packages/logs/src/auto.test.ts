import { describe, expect, it } from "vitest";
import { guessFormat } from "./auto.js";

const g = (s: string, lf?: string): string | null => guessFormat(new TextEncoder().encode(s), lf);

describe("guessFormat", () => {
  it.each([
    ["Nov 22 11:07:55 dnsmasq[30519]: 1 127.0.0.1/56938 query[A] example.test from 127.0.0.1\n", "dnsmasq"],
    ["Nov 22 11:07:53 unbound[30501:0] info: 127.0.0.1 example.test. A IN\n", "unbound"],
    ["22-Nov-2026 11:08:02.277 client @0x7f 127.0.0.2#45566 (a.test): query: a.test IN A + (127.0.0.2)\n", "bind-querylog"],
    ["[plan  ][00000.00] plan 'a.' type 'A' uid [65538.00]\n", "kresd"],
    ["1795345686.775      4 127.0.0.1 TCP_MISS/200 405 GET http://www.web.test/ - HIER_DIRECT/127.0.0.21 text/html\n", "squid"],
    ['127.0.0.1 - - [22/Nov/2026:11:08:06 +0000] "GET / HTTP/1.1" 200 44 "-" "curl/7.88.1"\n', "nginx"],
    ["hello\nworld\n", null],
  ])("%#: %s", (text, want) => {
    expect(g(text)).toBe(want);
  });

  it("dnstap by its Frame Streams escape; a definition by its syntax", () => {
    expect(guessFormat(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 34, 0, 0]))).toBe("dnstap");
    expect(g("x", "$msec $host $server_addr")).toBe("nginx");
    expect(g("x", "%ts.%03tu %>a %{Host}>h %<a")).toBe("squid");
    expect(g("x", "%V %A %t")).toBe("apache");
  });
});
