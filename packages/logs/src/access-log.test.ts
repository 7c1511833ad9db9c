import { describe, expect, it } from "vitest";
import { ApacheParser, hostName, NginxParser, urlHost } from "./access-log.js";
import { isLogsError } from "./errors.js";
import type { Association, LogParser } from "./observation.js";
import { SquidParser } from "./squid.js";

function run(p: LogParser, lines: string[]): Association[] {
  return lines.flatMap((l) => p.line(l));
}

const PDNS =
  '$msec $remote_addr $server_addr $server_port "$host" "$http_host" "$request" $status $body_bytes_sent "$http_via" "$http_x_forwarded_for"';

describe("hostName / urlHost", () => {
  it.each([
    ["www.Web.Test", "www.web.test"],
    ["www.web.test:443", "www.web.test"],
    ["[::1]", null],
    ["[::1]:80", null],
    ["%5B::1%5D", null],
    ["127.0.0.1:8080", null],
    ["::1", null],
    ["_", null],
    ["-", null],
    ["", null],
    ["bad host", "invalid"],
    ["%zz", "invalid"],
  ])("%j → %j", (h, want) => {
    expect(hostName(h)).toBe(want);
  });

  it("URL hosts", () => {
    expect(urlHost("http://user@WWW.web.test:8080/x?y", "GET")).toBe("WWW.web.test");
    expect(urlHost("http://[::1]/", "GET")).toBe("[::1]");
    expect(urlHost("www.web.test:443", "CONNECT")).toBe("www.web.test:443");
    expect(urlHost("/index.html", "GET")).toBeUndefined();
    expect(urlHost("error:invalid-request", "NONE")).toBeUndefined();
  });
});

describe("NginxParser", () => {
  it("($host, $server_addr) with A/AAAA from the family, time from $msec", () => {
    const p = new NginxParser({ logFormat: PDNS });
    expect(
      run(p, [
        '1795345686.774 127.0.0.1 127.0.0.21 80 "www.web.test" "www.web.test" "GET / HTTP/1.1" 200 44 "1.1 squid" "127.0.0.1"',
        '1795345687.424 ::1 ::1 80 "v6.web.test" "v6.web.test" "GET / HTTP/1.1" 200 36 "-" "-"',
        '1795345687.800 127.0.0.1 127.0.0.21 443 "_" "-" "\\x16\\x03\\x01\\x02\\x00" 400 157 "-" "-"',
        '1795345688.000 127.0.0.1 127.0.0.21 80 "127.0.0.21" "127.0.0.21" "GET / HTTP/1.1" 200 1 "-" "-"',
      ]),
    ).toEqual([
      { rrname: "www.web.test", rrtype: "A", rdata: "127.0.0.21", time: 1795345686.774 },
      { rrname: "v6.web.test", rrtype: "AAAA", rdata: "::1", time: 1795345687.424 },
    ]);
    expect(p.rejected.size).toBe(0);
  });

  it("the definition may be a whole log_format directive; $time_local and $upstream_addr", () => {
    const p = new NginxParser({
      logFormat: "log_format up '[$time_local] $host '\n  '$upstream_addr $status';",
    });
    expect(
      run(p, [
        "[22/Nov/2026:12:08:06 +0100] api.test 192.0.2.9:8080, 192.0.2.10:8080 200",
        "[22/Nov/2026:12:08:06 +0100] api.test unix:/run/app.sock 200",
        "[22/Nov/2026:12:08:06 +0100] api.test - 200",
      ]),
    ).toEqual([{ rrname: "api.test", rrtype: "A", rdata: "192.0.2.10", time: Date.UTC(2026, 10, 22, 11, 8, 6) / 1000 }]);
  });

  it("combined has neither host nor address: lines match, nothing is invented", () => {
    const p = new NginxParser({});
    expect(run(p, ['127.0.0.1 - - [22/Nov/2026:11:08:06 +0000] "GET / HTTP/1.1" 200 44 "-" "curl/7.88.1"'])).toEqual([]);
    expect(p.rejected.size).toBe(0);
    run(p, ["not a log line"]);
    expect(p.rejected.get("unmatched")).toBe(1);
  });
});

describe("ApacheParser", () => {
  it("%{Host}i / %V with %A, %t in brackets", () => {
    const p = new ApacheParser({ logFormat: 'LogFormat "%V %A %h %t \\"%r\\" %>s %b" pdns' });
    expect(
      run(p, [
        'www.example.test 192.0.2.80 198.51.100.1 [22/Nov/2026:11:08:06 +0000] "GET / HTTP/1.1" 200 44',
        'www.example.test 2001:db8::80 198.51.100.1 [22/Nov/2026:11:08:06 +0000] "GET / HTTP/1.1" 200 44',
      ]),
    ).toEqual([
      { rrname: "www.example.test", rrtype: "A", rdata: "192.0.2.80", time: Date.UTC(2026, 10, 22, 11, 8, 6) / 1000 },
      { rrname: "www.example.test", rrtype: "AAAA", rdata: "2001:db8::80", time: Date.UTC(2026, 10, 22, 11, 8, 6) / 1000 },
    ]);
    const q = new ApacheParser({ logFormat: "%{msec}t %{Host}i %A" });
    expect(run(q, ["1795345686774 www.x.test:8080 192.0.2.1"])).toEqual([
      { rrname: "www.x.test", rrtype: "A", rdata: "192.0.2.1", time: 1795345686.774 },
    ]);
  });
});

describe("SquidParser", () => {
  it("native: URL host (CONNECT host:port) ↔ HIER_DIRECT address; none without an address", () => {
    const p = new SquidParser({});
    expect(
      run(p, [
        "1795345686.775      4 127.0.0.1 TCP_MISS/200 405 GET http://www.web.test/ - HIER_DIRECT/127.0.0.21 text/html",
        "1795345687.800      6 127.0.0.1 TCP_TUNNEL/200 348 CONNECT www.web.test:443 - HIER_DIRECT/127.0.0.21 -",
        "1795345687.908      0 127.0.0.1 TCP_DENIED/403 3460 CONNECT shop.web.test:8443 - HIER_NONE/- text/html",
        "1795345687.742      5 127.0.0.1 TCP_MISS/503 3486 GET http://dead.web.test/ - HIER_DIRECT/127.0.0.29 text/html",
        "1795345688.022      1 127.0.0.1 TCP_MISS/200 397 GET http://[::1]/ - HIER_DIRECT/::1 text/html",
        "1795345688.100      1 127.0.0.1 TCP_MISS/200 397 GET http://www.web.test/ - FIRSTUP_PARENT/192.0.2.200 text/html",
      ]),
    ).toEqual([
      { rrname: "www.web.test", rrtype: "A", rdata: "127.0.0.21", time: 1795345686.775 },
      { rrname: "www.web.test", rrtype: "A", rdata: "127.0.0.21", time: 1795345687.8 },
      { rrname: "dead.web.test", rrtype: "A", rdata: "127.0.0.29", time: 1795345687.742 },
    ]);
    expect(p.rejected.size).toBe(0);
  });

  it("a logformat definition with [%tl] and %{Host}>h", () => {
    const p = new SquidParser({ logFormat: "logformat pdns %ts.%03tu [%tl] %>a %{Host}>h %<a %<p %rm %ru %>Hs %Ss/%Sh %<st" });
    expect(
      run(p, [
        "1795345687.424 [22/Nov/2026:11:08:07 +0000] 127.0.0.1 v6.web.test ::1 80 GET http://v6.web.test/ 200 TCP_MISS/HIER_DIRECT 397",
        "1795345688.022 [22/Nov/2026:11:08:08 +0000] 127.0.0.1 %5B::1%5D ::1 80 GET http://[::1]/ 200 TCP_MISS/HIER_DIRECT 397",
      ]),
    ).toEqual([{ rrname: "v6.web.test", rrtype: "AAAA", rdata: "::1", time: 1795345687.424 }]);
  });

  it("a definition it cannot read is a LogsError", () => {
    try {
      new SquidParser({ logFormat: "%ts %" });
      expect.unreachable();
    } catch (e) {
      expect(isLogsError(e)).toBe(true);
    }
  });
});
