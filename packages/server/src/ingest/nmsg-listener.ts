import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { isIP, createServer as netServer, type Server, type Socket } from "node:net";
import {
  ContainerDecoder,
  decodeDnsDedupe,
  isNmsgError,
  MSGTYPE_DNSDEDUPE,
  type NmsgPayload,
  parseHeader,
  readPayloadBatches,
  VENDOR_SIE,
} from "@dnsrep/nmsg";
import { Feeder } from "./feeder.js";
import type { IngestStores } from "./live-stores.js";
import type { IngestObservation } from "./observation.js";

/** `tcp:HOST:PORT` or `udp:HOST:PORT` (IPv6 in brackets; port 0 takes a free one). */
export interface NmsgListenSpec {
  proto: "tcp" | "udp";
  host: string;
  port: number;
}

export interface NmsgListener {
  /** `tcp:HOST:PORT` / `udp:HOST:PORT` as bound */
  readonly address: string;
  /** payloads read, stored (as observations), skipped (not SIE dnsdedupe, or not an RRset) */
  readonly counts: { payloads: number; stored: number; skipped: number; dropped: number };
  /** Stop listening, store what was read. */
  close(): Promise<void>;
}

/** Parse `tcp:HOST:PORT` / `udp:HOST:PORT`; null when it is not one. */
export function parseNmsgListen(text: string): NmsgListenSpec | null {
  const m = /^(tcp|udp):(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (!m) return null;
  const host = (m[2] ?? m[3]) as string;
  const port = Number(m[4]);
  if (port > 65535 || (isIP(host) === 0 && host !== "localhost")) return null;
  if (m[2] !== undefined && isIP(host) !== 6) return null;
  return { proto: m[1] as "tcp" | "udp", host, port };
}

/**
 * An SIE dnsdedupe payload as a live-store observation, mapped exactly as dnstable-import maps it
 * (so the live store and batch-imported files agree): authoritative RRsets (types 3 and 5) use
 * the zone times, type 0 (unknown) counts 0; payloads without rrname, rrtype, bailiwick or rdata
 * are skipped (null).
 */
export function dedupeObservation(pl: NmsgPayload): IngestObservation | null {
  if (pl.vid !== VENDOR_SIE || pl.msgtype !== MSGTYPE_DNSDEDUPE) return null;
  let d: ReturnType<typeof decodeDnsDedupe>;
  try {
    d = decodeDnsDedupe(pl.payload);
  } catch {
    return null;
  }
  if (!d.rrname || d.rrname.length >= 256 || d.rrtype === undefined || !d.bailiwick || d.rdata.length === 0) return null;
  const type = d.type ?? 0;
  const auth = type === 3 || type === 5;
  return {
    rrname: d.rrname,
    rrtype: d.rrtype,
    bailiwick: d.bailiwick,
    rdata: d.rdata,
    timeFirst: (auth ? d.zone_time_first : d.time_first) ?? 0,
    timeLast: (auth ? d.zone_time_last : d.time_last) ?? 0,
    count: type === 0 ? 0 : (d.count ?? 0),
    source: null,
  };
}

/** The most UDP senders whose fragments are reassembled at once (the oldest is forgotten beyond). */
const MAX_UDP_PEERS = 256;
/** Observations a UDP listener holds while the store is behind; beyond, datagrams are dropped (counted, logged). */
const MAX_UDP_BACKLOG = 200_000;

/**
 * Listen for NMSG (plain or zlib containers, fragments reassembled) and feed the SIE dnsdedupe
 * payloads to the live store's sensor part. TCP: one stream of containers per connection, read
 * with back-pressure (a store that is behind slows the sender). UDP: one container per datagram,
 * as nmsg-tool --writesock sends them; while the store is behind, up to 200,000 observations wait,
 * beyond that datagrams are dropped and counted.
 */
export async function startNmsgListener(spec: NmsgListenSpec, stores: IngestStores, log: (line: string) => void): Promise<NmsgListener> {
  const counts = { payloads: 0, stored: 0, skipped: 0, dropped: 0 };
  const feeder = new Feeder(stores, {}, { dropped: (n) => (counts.dropped += n), log });
  const convert = (batch: NmsgPayload[]): IngestObservation[] => {
    const out: IngestObservation[] = [];
    for (const pl of batch) {
      counts.payloads++;
      const o = dedupeObservation(pl);
      if (o === null) counts.skipped++;
      else out.push(o);
    }
    counts.stored += out.length;
    return out;
  };
  const name = (h: string, p: number): string => `${spec.proto}:${h.includes(":") ? `[${h}]` : h}:${p}`;

  if (spec.proto === "tcp") {
    const conns = new Set<Socket>();
    const readers = new Set<Promise<void>>();
    const server: Server = netServer((sock) => {
      conns.add(sock);
      const peer = `${sock.remoteAddress}/${sock.remotePort}`;
      const r = (async () => {
        try {
          const opts = { onCrcError: (n: number) => log(`nmsg ${peer}: ${n} payloads dropped: CRC32C mismatch`) };
          for await (const batch of readPayloadBatches(sock, opts)) await feeder.push(convert(batch));
        } catch (e) {
          if (isNmsgError(e)) log(`nmsg ${peer}: ${e.message} (connection closed)`);
          else if ((e as NodeJS.ErrnoException).code !== "ECONNRESET") log(`nmsg ${peer}: ${(e as Error).message}`);
          sock.destroy();
        } finally {
          conns.delete(sock);
        }
      })();
      readers.add(r);
      r.finally(() => readers.delete(r));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(spec.port, spec.host, () => resolve());
    });
    const a = server.address() as { address: string; port: number };
    return {
      address: name(a.address, a.port),
      counts,
      async close() {
        server.close();
        // the connections end: what they sent so far is read and stored
        for (const c of conns) c.end();
        await Promise.race([Promise.allSettled([...readers]), new Promise((r) => setTimeout(r, 2000).unref())]);
        for (const c of conns) c.destroy();
        await Promise.allSettled([...readers]);
        await feeder.close();
      },
    };
  }

  const sock: UdpSocket = createSocket({ type: spec.host.includes(":") ? "udp6" : "udp4" });
  const decoders = new Map<string, ContainerDecoder>();
  let dropLogged = 0;
  sock.on("message", (msg, rinfo) => {
    const peer = `${rinfo.address}/${rinfo.port}`;
    let dec = decoders.get(peer);
    if (!dec) {
      if (decoders.size >= MAX_UDP_PEERS) decoders.delete(decoders.keys().next().value as string);
      dec = new ContainerDecoder({ onCrcError: (n) => log(`nmsg ${peer}: ${n} payloads dropped: CRC32C mismatch`) });
      decoders.set(peer, dec);
    }
    let obs: IngestObservation[];
    try {
      const b = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
      const h = parseHeader(b, 0);
      if (!h || h[1] + h[2] !== b.length) throw new Error("datagram is not one whole container");
      obs = convert(dec.decode(h[0], b.slice(h[1]), 0));
    } catch (e) {
      log(`nmsg: bad datagram from ${peer}: ${(e as Error).message}`);
      return;
    }
    if (feeder.full && feeder.pending > MAX_UDP_BACKLOG) {
      counts.dropped += obs.length;
      counts.stored -= obs.length;
      const now = Date.now();
      if (now - dropLogged > 10_000) log(`nmsg: the store is behind: dropping UDP datagrams (${counts.dropped} observations so far)`);
      dropLogged = now;
      return;
    }
    void feeder.push(obs);
  });
  await new Promise<void>((resolve, reject) => {
    sock.once("error", reject);
    sock.bind(spec.port, spec.host, () => {
      try {
        sock.setRecvBufferSize(16 << 20);
      } catch {
        // capped by net.core.rmem_max: what the system grants
      }
      resolve();
    });
  });
  const a = sock.address();
  return {
    address: name(a.address, a.port),
    counts,
    async close() {
      await new Promise<void>((r) => sock.close(() => r()));
      await feeder.close();
    },
  };
}
