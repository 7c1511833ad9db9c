/**
 * The DNS messages a base/dnsqr message carries. Its `query_packet` and `response_packet` fields
 * hold whole IP datagrams as they were captured (an IPv4 or IPv6 header, a UDP header, then the
 * DNS message), not DNS messages: parseMessage on one throws. These helpers take the DNS message
 * out of the datagram (parseUdpDatagram) the way nmsgtool does for the `query` and `response`
 * lines it prints: only when the field holds exactly one datagram, an unfragmented UDP one of the
 * IP version the message's address says. There is none to give for an unanswered query (no
 * response_packet), a response without its query, TCP (type TCP: the `tcp` field holds segments),
 * ICMP, or a message that was fragmented (several datagrams: @dnsrep/capture's Reassembler joins
 * them, as @dnsrep/dedupe's DnsCache does).
 */
import { type Message, parseMessage } from "@dnsrep/wdns";
import type { DnsQR } from "./typed-messages.js";
import { parseUdpDatagram } from "./udp-datagram.js";

/** The fields of a DnsQR (decodeDnsQR) these helpers read. */
export type DnsqrPackets = Pick<DnsQR, "query_ip" | "response_ip" | "query_packet" | "response_packet">;

/** The DNS payload of `packets` when it is one whole UDP datagram (IPv6 when `ip` has 16 bytes), else undefined. */
export function udpDnsPayload(packets: readonly Uint8Array[], ip: Uint8Array): Uint8Array | undefined {
  const p = packets[0];
  if (packets.length !== 1 || p === undefined || (ip.length !== 4 && ip.length !== 16)) return undefined;
  return parseUdpDatagram(p, ip.length === 16)?.payload;
}

/** The query's DNS message as wire bytes (a view into query_packet), or undefined when there is none (see above). */
export function dnsqrQueryWire(q: DnsqrPackets): Uint8Array | undefined {
  return udpDnsPayload(q.query_packet, q.query_ip);
}

/** The response's DNS message as wire bytes (a view into response_packet), or undefined when there is none (see above). */
export function dnsqrResponseWire(q: DnsqrPackets): Uint8Array | undefined {
  return udpDnsPayload(q.response_packet, q.response_ip);
}

/**
 * The query as a parsed DNS message (@dnsrep/wdns's Message), or undefined when the dnsqr holds
 * no single UDP query datagram. Throws WdnsError when the datagram's payload is not a DNS message.
 */
export function dnsqrQuery(q: DnsqrPackets): Message | undefined {
  const wire = dnsqrQueryWire(q);
  return wire === undefined ? undefined : parseMessage(wire);
}

/**
 * The response as a parsed DNS message (@dnsrep/wdns's Message), or undefined when the dnsqr
 * holds no single UDP response datagram. Throws WdnsError when the datagram's payload is not a
 * DNS message.
 */
export function dnsqrResponse(q: DnsqrPackets): Message | undefined {
  const wire = dnsqrResponseWire(q);
  return wire === undefined ? undefined : parseMessage(wire);
}
