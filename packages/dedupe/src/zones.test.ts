/**
 * The zone cache against a model: learnNS and learnAddress skip what they already know (an NS
 * target a zone already names, an address a host already has), relying on the invariant that a
 * zone holds every address of every server it names. A model that always re-derives the servers
 * of each zone from its NS names and their addresses checks that nothing is lost, with and
 * without evictions.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ZoneCache } from "./zones.js";

const zoneName = fc.constantFrom("z0", "z1", "z2", "z3", "z4");
const hostName = fc.constantFrom("h0", "h1", "h2", "h3");
const addr = fc.constantFrom("a0", "a1", "a2", "a3", "a4", "a5");
const op = fc.oneof(
  fc.record({ kind: fc.constant("ns" as const), zone: zoneName, targets: fc.array(hostName, { maxLength: 3 }) }),
  fc.record({ kind: fc.constant("addr" as const), host: hostName, addr }),
);

/** The same learning with no shortcuts: per zone its NS names, per host its addresses, and the addresses each zone picked up. */
class Model {
  readonly zones = new Map<string, { ns: Set<string>; servers: Set<string> }>();
  readonly served = new Map<string, Set<string>>();
  readonly hosts = new Map<string, Set<string>>();
  readonly maxZones: number;
  constructor(maxZones: number) {
    this.maxZones = maxZones;
  }
  learnNS(zone: string, targets: string[]): void {
    let z = this.zones.get(zone);
    if (!z) {
      z = { ns: new Set(), servers: new Set() };
      this.zones.set(zone, z);
    }
    for (const t of targets) {
      z.ns.add(t);
      if (!this.served.has(t)) this.served.set(t, new Set());
      this.served.get(t)!.add(zone);
      for (const a of this.hosts.get(t) ?? []) z.servers.add(a);
    }
    while (this.zones.size > this.maxZones) {
      const k = this.zones.keys().next().value as string;
      for (const t of this.zones.get(k)!.ns) this.served.get(t)?.delete(k);
      this.zones.delete(k);
    }
  }
  learnAddress(host: string, a: string): void {
    const zones = this.served.get(host);
    if (!zones) return;
    if (!this.hosts.has(host)) this.hosts.set(host, new Set());
    this.hosts.get(host)!.add(a);
    for (const z of zones) this.zones.get(z)?.servers.add(a);
  }
}

describe("ZoneCache learning", () => {
  it.each([100, 2])("gives every zone the addresses of its name servers, whatever the order (at most %i zones)", (maxZones) => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const z = new ZoneCache({ maxZones });
        const m = new Model(maxZones);
        for (const o of ops) {
          if (o.kind === "ns") {
            z.learnNS(o.zone, o.targets);
            m.learnNS(o.zone, o.targets);
          } else {
            z.learnAddress(o.host, o.addr);
            m.learnAddress(o.host, o.addr);
          }
        }
        for (const name of ["z0", "z1", "z2", "z3", "z4"]) {
          expect([...z.servers(name)].sort(), name).toEqual([...(m.zones.get(name)?.servers ?? [])].sort());
        }
      }),
      { numRuns: 500 },
    );
  });
});
