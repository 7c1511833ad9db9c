/**
 * The session graph: every name and address met in this browsing session (name –A/AAAA→ address,
 * name –CNAME/NS/MX/…→ name), capped at a number of nodes, laid out by a small force simulation.
 * Kept in sessionStorage so a reload keeps it. No DOM here: graph-view.ts draws it.
 */
import type { Result } from "./api.js";
import { edgesOf } from "./pivot.js";

export interface GNode {
  id: string;
  kind: "name" | "addr";
  x: number;
  y: number;
  expanded: boolean;
}
export interface GEdge {
  from: string;
  to: string;
  type: string;
}

export const NODE_CAP = 150;
const KEY = "dnsrep.graph";

export class SessionGraph {
  nodes = new Map<string, GNode>();
  edges = new Map<string, GEdge>();
  /** nodes that were not added because of the cap */
  dropped = 0;
  /** added to since the last layout() */
  dirty = false;
  private listeners = new Set<() => void>();

  readonly cap: number;
  constructor(cap = NODE_CAP) {
    this.cap = cap;
  }

  subscribe(f: () => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  private node(id: string, kind: GNode["kind"], near?: GNode): GNode | null {
    const had = this.nodes.get(id);
    if (had) return had;
    if (this.nodes.size >= this.cap) {
      this.dropped++;
      return null;
    }
    // deterministic placement near the neighbour (or on a spiral), refined by layout()
    const i = this.nodes.size;
    const a = i * 2.399963;
    const r = near ? 40 : 30 * Math.sqrt(i + 1);
    const n: GNode = { id, kind, x: (near?.x ?? 0) + r * Math.cos(a), y: (near?.y ?? 0) + r * Math.sin(a), expanded: false };
    this.nodes.set(id, n);
    return n;
  }

  /** Adds what the results say; returns whether anything changed. */
  add(results: readonly Result[], expanded?: string): boolean {
    const before = this.nodes.size + this.edges.size;
    for (const r of results) {
      if (r.rrname) this.node(r.rrname, "name");
      for (const e of edgesOf(r)) {
        const from = this.node(e.from, "name");
        if (!from) continue;
        const to = this.node(e.to, e.toKind, from);
        if (!to) continue;
        this.edges.set(`${e.from}\u0000${e.type}\u0000${e.to}`, { from: e.from, to: e.to, type: e.type });
      }
    }
    if (expanded !== undefined) {
      const n = this.nodes.get(expanded);
      if (n) n.expanded = true;
    }
    const changed = this.nodes.size + this.edges.size !== before || expanded !== undefined;
    if (changed) {
      // the layout waits until the graph is drawn (ensureLayout): adding stays cheap while results stream in
      this.dirty = true;
      this.save();
      for (const f of this.listeners) f();
    }
    return changed;
  }

  clear(): void {
    this.nodes.clear();
    this.edges.clear();
    this.dropped = 0;
    this.save();
    for (const f of this.listeners) f();
  }

  /** Lays the graph out if it changed since the last layout. */
  ensureLayout(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.layout();
    this.save();
  }

  /** A few hundred steps of repulsion (all pairs: n ≤ cap) and spring attraction along edges. */
  layout(steps = 200): void {
    const ns = [...this.nodes.values()];
    const idx = new Map(ns.map((n, i) => [n.id, i]));
    const es = [...this.edges.values()].map((e) => [idx.get(e.from) ?? 0, idx.get(e.to) ?? 0] as const);
    const fx = new Float64Array(ns.length);
    const fy = new Float64Array(ns.length);
    for (let s = 0; s < steps; s++) {
      fx.fill(0);
      fy.fill(0);
      for (let i = 0; i < ns.length; i++) {
        const a = ns[i] as GNode;
        for (let j = i + 1; j < ns.length; j++) {
          const b = ns[j] as GNode;
          let dx = a.x - b.x;
          let dy = a.y - b.y;
          let d2 = dx * dx + dy * dy;
          if (d2 < 1) {
            dx = (i - j) % 3 || 1;
            dy = 1;
            d2 = dx * dx + dy * dy;
          }
          const f = 6000 / d2;
          const d = Math.sqrt(d2);
          fx[i] = (fx[i] as number) + (f * dx) / d;
          fy[i] = (fy[i] as number) + (f * dy) / d;
          fx[j] = (fx[j] as number) - (f * dx) / d;
          fy[j] = (fy[j] as number) - (f * dy) / d;
        }
      }
      for (const [i, j] of es) {
        const a = ns[i] as GNode;
        const b = ns[j] as GNode;
        const dx = b.x - a.x;
        const dy = b.y - a.y;
        const d = Math.sqrt(dx * dx + dy * dy) || 1;
        const f = (d - 90) * 0.05;
        fx[i] = (fx[i] as number) + (f * dx) / d;
        fy[i] = (fy[i] as number) + (f * dy) / d;
        fx[j] = (fx[j] as number) - (f * dx) / d;
        fy[j] = (fy[j] as number) - (f * dy) / d;
      }
      const cool = 1 - s / steps;
      for (let i = 0; i < ns.length; i++) {
        const n = ns[i] as GNode;
        // a weak pull to the centre keeps separate components on screen
        const mx = Math.max(-10, Math.min(10, (fx[i] as number) - n.x * 0.01)) * cool;
        const my = Math.max(-10, Math.min(10, (fy[i] as number) - n.y * 0.01)) * cool;
        n.x += mx;
        n.y += my;
      }
    }
  }

  save(): void {
    try {
      sessionStorage.setItem(KEY, JSON.stringify({ n: [...this.nodes.values()], e: [...this.edges.values()], d: this.dropped }));
    } catch {
      // storage full or disabled: the graph lives in memory only
    }
  }

  static load(): SessionGraph {
    const g = new SessionGraph();
    try {
      const raw = sessionStorage.getItem(KEY);
      if (raw) {
        const j = JSON.parse(raw) as { n: GNode[]; e: GEdge[]; d: number };
        for (const n of j.n.slice(0, g.cap)) if (typeof n.id === "string") g.nodes.set(n.id, { id: n.id, kind: n.kind === "addr" ? "addr" : "name", x: +n.x || 0, y: +n.y || 0, expanded: n.expanded === true });
        for (const e of j.e) if (g.nodes.has(e.from) && g.nodes.has(e.to)) g.edges.set(`${e.from}\u0000${e.type}\u0000${e.to}`, { from: e.from, to: e.to, type: String(e.type) });
        g.dropped = Number(j.d) || 0;
      }
    } catch {
      // a damaged entry: start empty
    }
    return g;
  }
}
