import { describe, expect, it } from "vitest";
import { tcpDatagram } from "./craft.js";
import { Datagram, IpReject, parseIp } from "./ip.js";
import { type TcpDnsMessage, TcpDnsReassembler } from "./tcp.js";

const C = Uint8Array.of(10, 0, 0, 1);
const S = Uint8Array.of(10, 0, 0, 53);

function seg(r: TcpDnsReassembler, sport: number, seq: number, data: number[], flags = 0x18, sec = 1): void {
  const d = new Datagram();
  const dg = tcpDatagram({ src: C, dst: S, sport, dport: 53, seq, payload: Uint8Array.from(data), flags });
  expect(parseIp(d, dg, 0, dg.length)).toBe(IpReject.NONE);
  r.add(d, sec, 0);
}

describe("TcpDnsReassembler", () => {
  it("cuts length-prefixed messages across and within segments", () => {
    const got: TcpDnsMessage[] = [];
    const r = new TcpDnsReassembler((m) => got.push(m));
    seg(r, 1000, 99, [], 0x02);
    seg(r, 1000, 100, [0, 3, 1, 2]); // half of a 3-byte message
    seg(r, 1000, 104, [3, 0, 2, 7, 8, 0]); // its end, a whole one, and the start of a third
    expect(got.map((m) => [...m.message])).toEqual([
      [1, 2, 3],
      [7, 8],
    ]);
    expect(got[0]!.toServer).toBe(true);
    expect(got[0]!.clientPort).toBe(1000);
  });

  it("bounds a stream that announces a message it never sends", () => {
    const r = new TcpDnsReassembler(() => {}, { maxBuffered: 1000 });
    seg(r, 1001, 0, [], 0x02);
    seg(r, 1001, 1, [0xff, 0xff]);
    let seq = 3;
    for (let i = 0; i < 20; i++) {
      seg(r, 1001, seq, new Array(100).fill(1));
      seq += 100;
    }
    // dropped when it passed the bound; what follows belongs to a stream whose start is gone
    expect(r.stats.evicted).toBe(1);
    expect(r.stats.messages).toBe(0);
    expect(r.stats.gaps).toBeGreaterThan(0);
  });

  it("bounds the number of connections, oldest first", () => {
    const r = new TcpDnsReassembler(() => {}, { maxStreams: 10 });
    for (let p = 0; p < 25; p++) seg(r, 2000 + p, 0, [], 0x02);
    expect(r.connections).toBe(10);
    expect(r.stats.evicted).toBe(15);
  });

  it("drops idle connections after the timeout and forgets closed ones", () => {
    const r = new TcpDnsReassembler(() => {}, { timeoutSec: 30 });
    seg(r, 3000, 0, [], 0x02, 1);
    seg(r, 3001, 0, [], 0x02, 100);
    expect(r.stats.timedOut).toBe(1);
    seg(r, 3001, 3, [], 0x04, 100); // RST
    expect(r.connections).toBe(0);
  });
});
