/** The message-module schemas (proto2), written from the field tables in docs/formats/nmsg.md. */
import protobuf from "protobufjs";

export const PROTO = `
syntax = "proto2";
package nmsg.base;
enum DnsQRType {
  UDP_INVALID = 0; UDP_QUERY_RESPONSE = 1; UDP_UNANSWERED_QUERY = 2; UDP_UNSOLICITED_RESPONSE = 3;
  TCP = 4; ICMP = 5; UDP_QUERY_ONLY = 6; UDP_RESPONSE_ONLY = 7;
}
enum UdpChecksum { ERROR = 0; ABSENT = 1; INCORRECT = 2; CORRECT = 3; }
message DnsQR {
  required DnsQRType type = 1;
  required bytes query_ip = 2;
  required bytes response_ip = 3;
  required uint32 proto = 4;
  required uint32 query_port = 5;
  required uint32 response_port = 6;
  required uint32 id = 7;
  optional bytes qname = 8;
  optional uint32 qtype = 9;
  optional uint32 qclass = 10;
  optional uint32 rcode = 11;
  repeated bytes query_packet = 12;
  repeated int64 query_time_sec = 13;
  repeated sfixed32 query_time_nsec = 14;
  repeated bytes response_packet = 15;
  repeated int64 response_time_sec = 16;
  repeated sfixed32 response_time_nsec = 17;
  optional bytes tcp = 18;
  optional bytes icmp = 19;
  optional double timeout = 20;
  optional UdpChecksum udp_checksum = 21;
  optional bool resolver_address_zeroed = 22;
}
enum DnsDedupeType {
  INSERTION = 0; EXPIRATION = 1; CHAFF = 2; AUTHORITATIVE = 3; MERGED = 4; MERGED_AUTHORITATIVE = 5; MERGED_INSERTION = 6;
}
message DnsDedupe {
  optional bytes rrname = 1;
  optional uint32 rrtype = 2;
  optional uint32 rrclass = 3;
  optional uint32 rrttl = 4;
  repeated bytes rdata = 5;
  optional uint32 count = 10;
  optional uint32 time_first = 11;
  optional uint32 time_last = 12;
  optional DnsDedupeType type = 13;
  optional bytes response_ip = 14;
  optional bytes response = 15;
  optional bytes bailiwick = 16;
  optional uint32 zone_time_first = 17;
  optional uint32 zone_time_last = 18;
}
message Dns {
  optional bytes rrname = 1;
  optional uint32 rrtype = 2;
  optional uint32 rrclass = 3;
  optional uint32 rrttl = 4;
  repeated bytes rdata = 5;
  optional uint32 section = 6;
  optional bytes qname = 7;
  optional uint32 qtype = 8;
  optional uint32 qclass = 9;
}
message IPConn {
  optional uint32 proto = 1;
  optional bytes srcip = 2;
  optional uint32 srcport = 3;
  optional bytes dstip = 4;
  optional uint32 dstport = 5;
}
`;

let root: protobuf.Namespace | undefined;

/**
 * The type of message `name` (DnsQR, DnsDedupe, Dns, IPConn) from the schemas above, parsed on
 * the first call: a tool that never decodes or encodes a message (its `--help`, a usage error)
 * does not pay for the parse (issue 30).
 */
export function schemaType(name: string): protobuf.Type {
  root ??= protobuf.parse(PROTO, { keepCase: true }).root.resolveAll();
  return root.lookupType(`nmsg.base.${name}`);
}
