// Deterministic passive-DNS-shaped data for the mtbl benchmarks, generated on the fly so a
// run over tens of millions of entries holds none of them in memory.
//
// Keys look like dnstable RRSET keys: 0x00 | tld.domain.host | 0x00 0x01 | tld.domain | 0x00 0x04 | u32.
// sortedKey(j) is strictly increasing in j, so "sorted input" is j = 0, 1, …, N-1 and "unsorted
// input" is j = perm(i), a multiplicative permutation of 0…N-1.

const TLDS = ["com", "de", "io", "net", "org", "test"]; // sorted
const HOSTS = ["api", "cdn", "dev", "img", "mail", "mx", "ns1", "ns2", "vpn", "www"]; // sorted, none a prefix of another
const enc = new TextEncoder();
const tldBytes = TLDS.map((t) => enc.encode(t));
const hostBytes = HOSTS.map((h) => enc.encode(h));
const DIGITS = enc.encode("0123456789abcdefghijklmnopqrstuvwxyz");
const DOM_DIGITS = 6;

function gcd(a, b) {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** (a * b) mod n without leaving the exact integer range of doubles (a, n < 2^32). */
function mulmod(a, b, n) {
  return (((a * Math.floor(b / 65536)) % n) * 65536 + a * (b % 65536)) % n;
}

export function makeData(n) {
  const perTld = Math.ceil(n / TLDS.length);
  let mult = 2654435761 % n;
  while (gcd(mult, n) !== 1) mult++;
  const keyBuf = new Uint8Array(64);
  const valBuf = new Uint8Array(12);
  const valView = new DataView(valBuf.buffer);

  /** Writes sortedKey(j) into `out` (>= 40 bytes) and returns its length. */
  function keyInto(j, out) {
    const t = Math.floor(j / perTld);
    const r = j - t * perTld;
    const tld = tldBytes[t];
    const host = hostBytes[r % HOSTS.length];
    let dom = Math.floor(r / HOSTS.length);
    let p = 0;
    out[p++] = 0;
    out.set(tld, p);
    p += tld.length;
    out[p++] = 0x2e;
    const domStart = p;
    out[p++] = 0x64; // 'd'
    for (let i = DOM_DIGITS - 1; i >= 0; i--) {
      out[p + i] = DIGITS[dom % 36];
      dom = Math.floor(dom / 36);
    }
    p += DOM_DIGITS;
    const domEnd = p;
    out[p++] = 0x2e;
    out.set(host, p);
    p += host.length;
    out[p++] = 0;
    out[p++] = 1;
    out.set(tld, p);
    p += tld.length;
    out[p++] = 0x2e;
    out.copyWithin(p, domStart, domEnd);
    p += domEnd - domStart;
    out[p++] = 0;
    out[p++] = 4;
    out[p++] = j >>> 24;
    out[p++] = (j >>> 16) & 0xff;
    out[p++] = (j >>> 8) & 0xff;
    out[p++] = j & 0xff;
    return p;
  }
  return {
    n,
    /** Key j as a view of a shared buffer (valid until the next call). */
    key(j) {
      return keyBuf.subarray(0, keyInto(j, keyBuf));
    },
    /** Key j in a fresh array (for APIs that keep it, such as a LevelDB batch). */
    keyCopy(j) {
      return keyBuf.slice(0, keyInto(j, keyBuf));
    },
    /** Value of key j as a view of a shared buffer (valid until the next call). */
    value(j) {
      valView.setUint32(0, 1600000000 + (j % 100000));
      valView.setUint32(4, 1700000000 + (j % 100000));
      valView.setUint32(8, 1 + (j % 7));
      return valBuf;
    },
    valueCopy(j) {
      return this.value(j).slice();
    },
    /** The i-th index of the unsorted order: a permutation of 0…n-1. */
    perm(i) {
      return mulmod(i, mult, n);
    },
  };
}
