/** Random RRsets of many types (names from a small pool so keys repeat and merge), from a seed. */
import { nameFromString } from "@dnsrep/wdns";
import type { RRsetObservation } from "../src/index.js";

export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ZONES = ["example.com", "example.net", "test.org", "b\\.c.example", "xn--bcher-kva.example"];
const LABELS = ["www", "mail", "ns1", "ns2", "a", "b", "_sip._tcp", "deep.er.name", "x-y"];

export class RRsetGen {
  readonly #r: () => number;
  readonly names: string[];
  constructor(seed: number) {
    this.#r = prng(seed);
    this.names = [...ZONES];
    for (const z of ZONES) for (const l of LABELS) this.names.push(`${l}.${z}`);
  }
  int(n: number): number {
    return Math.floor(this.#r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }
  #bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
  /** A name in wire form; rdata names are sometimes in upper case (dnstable downcases where it slices them). */
  #name(upper = false): Uint8Array {
    const n = this.pick(this.names);
    return nameFromString(`${upper && this.int(4) === 0 ? n.toUpperCase() : n}.`);
  }
  #cat(...parts: Uint8Array[]): Uint8Array {
    const len = parts.reduce((s, p) => s + p.length, 0);
    const out = new Uint8Array(len);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
  #rdata(rrtype: number): Uint8Array {
    switch (rrtype) {
      case 1:
        return Uint8Array.of(192, 0, 2, this.int(8));
      case 28:
        return this.#cat(Uint8Array.of(0x20, 0x01, 0x0d, 0xb8), new Uint8Array(11), Uint8Array.of(this.int(8)));
      case 2:
      case 5:
      case 12:
        return this.#name(true);
      case 15:
        return this.#cat(Uint8Array.of(0, this.int(3) * 10), this.#name(true));
      case 33:
        return this.#cat(Uint8Array.of(0, 1, 0, 2, 0x13, 0xc4), this.#name(true));
      case 6:
        return this.#cat(this.#name(true), this.#name(true), new Uint8Array(20).fill(this.int(3)));
      case 16: {
        const t = new TextEncoder().encode(`v=${this.int(5)}`);
        return this.#cat(Uint8Array.of(t.length), t);
      }
      case 65:
        return this.#cat(Uint8Array.of(0, 1), this.#name(true), Uint8Array.of(0, 1, 0, 3, 2, 0x68, 0x32));
      case 43:
        return this.#cat(Uint8Array.of(0x30, 0x39, 8, 2), this.#bytes(4));
      case 46:
        return this.#cat(Uint8Array.of(0, 1, 8, 2), this.#bytes(12));
      case 47:
        return this.#cat(this.#name(), Uint8Array.of(0, 1, 0x40));
      default:
        return this.#bytes(6);
    }
  }
  rrset(): RRsetObservation {
    const rrtype = this.pick([1, 1, 1, 28, 2, 5, 12, 15, 33, 6, 16, 65, 43, 46, 47, 99]);
    const name = this.pick(this.names);
    const zone = ZONES.find((z) => name.endsWith(z)) ?? "example.com";
    const n = rrtype === 5 || rrtype === 6 ? 1 : 1 + this.int(3);
    const seen = new Set<string>();
    const rdata: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      const rd = this.#rdata(rrtype);
      const k = Buffer.from(rd).toString("hex");
      if (!seen.has(k)) {
        seen.add(k);
        rdata.push(rd);
      }
    }
    const first = 1_700_000_000 + this.int(100_000);
    return {
      rrname: nameFromString(`${name}.`),
      rrtype,
      bailiwick: nameFromString(`${this.int(5) === 0 ? "." : `${zone}.`}`),
      rdata,
      timeFirst: first,
      timeLast: first + this.int(50_000),
      count: 1 + this.int(1000),
    };
  }
}
