/**
 * The zone hierarchy as passive replication rebuilds it: zone → the addresses of its name servers,
 * assembled from delegations (NS RRsets: zone → server names) and addresses (A/AAAA RRsets:
 * server name → addresses), starting from root hints. Only records the bailiwick check accepted
 * are learned, so a record that failed the check can never vouch for a later one.
 * Bounded: the oldest zones and name-server hosts leave first (never the root).
 */

import { equalBytes } from "@dnsrep/util";
import { addrKey, nameKey, ROOT_KEY } from "./names.js";
import { type HintRecord, IANA_ROOT_HINTS, parseRootHints } from "./root-hints.js";

interface Zone {
  /** addresses of the zone's name servers (address keys) */
  servers: Set<string>;
  /** the zone's name-server names (name keys) */
  ns: Set<string>;
  /** the NS rdata (wire names) learned last: the same RRset again teaches nothing */
  lastNS?: Uint8Array[];
}

function sameRdatas(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!equalBytes(a[i]!, b[i]!)) return false;
  return true;
}

/** FNV-1a over a name's bytes, given as wire bytes or as a key (the same value for both) */
function nameHash(n: Uint8Array | string, at = 0, len = n.length): number {
  let h = 0x811c9dc5;
  if (typeof n === "string") for (let i = at; i < at + len; i++) h = Math.imul(h ^ n.charCodeAt(i), 0x01000193);
  else for (let i = at; i < at + len; i++) h = Math.imul(h ^ n[i]!, 0x01000193);
  return h;
}

export interface ZoneCacheOptions {
  maxZones?: number;
  maxHosts?: number;
}

export class ZoneCache {
  readonly #zones = new Map<string, Zone>();
  /** server name → zones it serves */
  readonly #served = new Map<string, Set<string>>();
  /** host name → its addresses */
  readonly #hosts = new Map<string, Set<string>>();
  /** hashes of the names in #served: most A/AAAA owners are no name server, known without a key */
  readonly #servedHashes = new Set<number>();
  readonly #maxZones: number;
  readonly #maxHosts: number;

  constructor(opts: ZoneCacheOptions = {}) {
    this.#maxZones = opts.maxZones ?? 1_000_000;
    this.#maxHosts = opts.maxHosts ?? 1_000_000;
  }

  /** A cache primed with root hints (named.root text; the IANA root servers by default). */
  static withRootHints(text: string = IANA_ROOT_HINTS): ZoneCache {
    const z = new ZoneCache();
    z.loadHints(parseRootHints(text));
    return z;
  }

  loadHints(records: readonly HintRecord[]): void {
    for (const r of records) if (r.type === "NS") this.learnNS(nameKey(r.name), [nameKey(r.data)]);
    for (const r of records) if (r.type !== "NS") this.learnAddress(nameKey(r.name), addrKey(r.data));
  }

  get size(): number {
    return this.#zones.size;
  }

  /** Zone `zone` is served by the name servers `targets` (name keys). */
  learnNS(zone: string, targets: readonly string[]): void {
    let z = this.#zones.get(zone);
    if (!z) {
      z = { servers: new Set(), ns: new Set() };
      this.#zones.set(zone, z);
    }
    for (const t of targets) {
      // a server the zone already names: its addresses are already the zone's (learnAddress adds
      // each new one to every zone the server serves)
      if (z.ns.has(t)) continue;
      z.ns.add(t);
      let s = this.#served.get(t);
      if (!s) {
        s = new Set();
        this.#served.set(t, s);
        this.#servedHashes.add(nameHash(t));
      }
      s.add(zone);
      for (const a of this.#hosts.get(t) ?? []) z.servers.add(a);
    }
    this.#bound();
  }

  /** the oldest zones out, down to maxZones (never the root) */
  #bound(): void {
    while (this.#zones.size > this.#maxZones) this.#evictZone();
  }

  /**
   * learnNS for an NS RRset's rdata (downcased wire names): the RRset the zone learned last is
   * recognised without making keys of its names.
   */
  learnNSRdata(zone: string, rdatas: readonly Uint8Array[]): void {
    const z = this.#zones.get(zone);
    // a zone's name servers are only ever added to while it lives: the same set adds nothing
    if (z?.lastNS !== undefined && sameRdatas(z.lastNS, rdatas)) {
      this.#bound(); // as learnNS would: a cache seeded past its bound (addServer) shrinks on the next NS
      return;
    }
    this.learnNS(zone, rdatas.map(nameKey));
    const learned = this.#zones.get(zone);
    if (learned) learned.lastNS = rdatas.map((r) => r.slice());
  }

  /**
   * Host `host` (a name key) has address `addr` (an address key). Only name servers' addresses are
   * kept: a host no zone names as a server is not remembered (glue arrives with its NS records).
   */
  learnAddress(host: string, addr: string): void {
    const zones = this.#served.get(host);
    if (!zones) return;
    let h = this.#hosts.get(host);
    if (!h) {
      h = new Set();
      this.#hosts.set(host, h);
      while (this.#hosts.size > this.#maxHosts) this.#hosts.delete(this.#hosts.keys().next().value as string);
    } else if (h.has(addr)) return; // known: already given to every zone the host serves (learnNS adds a host's addresses to a zone it joins)
    h.add(addr);
    for (const zone of zones) this.#zones.get(zone)?.servers.add(addr);
  }

  /**
   * False when the host (downcased wire bytes, host[at, at + len)) is certainly no zone's name server, so that
   * learnAddress would ignore it; true when it may be one.
   */
  mayServe(host: Uint8Array, at = 0, len = host.length - at): boolean {
    return this.#servedHashes.has(nameHash(host, at, len));
  }

  /** Seed: `addr` serves `zone` (a static server → zones map). */
  addServer(zone: string, addr: string): void {
    let z = this.#zones.get(zone);
    if (!z) {
      z = { servers: new Set(), ns: new Set() };
      this.#zones.set(zone, z);
    }
    z.servers.add(addr);
  }

  /** The deepest zone at or above `name` whose name servers include `addr`. */
  servedZone(name: string, addr: string): string | undefined {
    // the name, then each ancestor (a suffix at a label boundary), closest first; no generator
    for (let p = 0; p < name.length; p += name.charCodeAt(p) + 1) {
      const a = p === 0 ? name : name.slice(p);
      if (this.#zones.get(a)?.servers.has(addr)) return a;
    }
    return undefined;
  }

  /** The deepest known zone at or above `name`. */
  enclosingZone(name: string): string | undefined {
    for (let p = 0; p < name.length; p += name.charCodeAt(p) + 1) {
      const a = p === 0 ? name : name.slice(p);
      if (this.#zones.has(a)) return a;
    }
    return undefined;
  }

  /** Name-server addresses of `zone` (for inspection and tests). */
  servers(zone: string): ReadonlySet<string> {
    return this.#zones.get(zone)?.servers ?? new Set();
  }

  #evictZone(): void {
    for (const k of this.#zones.keys()) {
      if (k === ROOT_KEY) continue;
      const z = this.#zones.get(k)!;
      this.#zones.delete(k);
      for (const t of z.ns) this.#served.get(t)?.delete(k);
      return;
    }
  }
}
