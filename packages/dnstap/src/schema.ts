/**
 * The dnstap schema (dnstap.proto, CC0, github.com/dnstap/dnstap.pb) as TypeScript types and the
 * names dnstap's tools print for its enums. Field names are the .proto's (snake_case), so a
 * decoded message compares directly with protobufjs's `keepCase` objects.
 */

export const DnstapType = { MESSAGE: 1 } as const;

/** Message.Type values. */
export const MessageType = {
  AUTH_QUERY: 1,
  AUTH_RESPONSE: 2,
  RESOLVER_QUERY: 3,
  RESOLVER_RESPONSE: 4,
  CLIENT_QUERY: 5,
  CLIENT_RESPONSE: 6,
  FORWARDER_QUERY: 7,
  FORWARDER_RESPONSE: 8,
  STUB_QUERY: 9,
  STUB_RESPONSE: 10,
  TOOL_QUERY: 11,
  TOOL_RESPONSE: 12,
  UPDATE_QUERY: 13,
  UPDATE_RESPONSE: 14,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

export const SocketFamily = { INET: 1, INET6: 2 } as const;
export const SocketProtocol = { UDP: 1, TCP: 2, DOT: 3, DOH: 4, DNSCryptUDP: 5, DNSCryptTCP: 6, DOQ: 7 } as const;
export const HttpProtocol = { HTTP1: 1, HTTP2: 2, HTTP3: 3 } as const;
export const PolicyMatch = { QNAME: 1, CLIENT_IP: 2, RESPONSE_IP: 3, NS_NAME: 4, NS_IP: 5 } as const;
export const PolicyAction = { NXDOMAIN: 1, NODATA: 2, PASS: 3, DROP: 4, TRUNCATE: 5, LOCAL_DATA: 6 } as const;

function namer(table: Record<string, number>): (v: number) => string {
  const names: string[] = [];
  for (const [k, v] of Object.entries(table)) names[v] = k;
  // a value the schema does not name prints as its number, as protobuf's text formats do
  return (v) => names[v] ?? String(v);
}

export const dnstapTypeName = namer(DnstapType);
export const messageTypeName = namer(MessageType);
export const socketFamilyName = namer(SocketFamily);
export const socketProtocolName = namer(SocketProtocol);
export const httpProtocolName = namer(HttpProtocol);
export const policyMatchName = namer(PolicyMatch);
export const policyActionName = namer(PolicyAction);

/** The message type a name (AUTH_QUERY …) stands for, or undefined. */
export function messageTypeFromName(name: string): number | undefined {
  return (MessageType as Record<string, number>)[name.toUpperCase()];
}

/** Whether a message type is one of the *_RESPONSE types (even numbers). */
export function isResponseType(t: number): boolean {
  return t >= 2 && t <= 14 && t % 2 === 0;
}

export interface Policy {
  type?: string;
  rule?: Uint8Array;
  action?: number;
  match?: number;
  value?: Uint8Array;
}

export interface Message {
  type: number;
  socket_family?: number;
  socket_protocol?: number;
  query_address?: Uint8Array;
  response_address?: Uint8Array;
  query_port?: number;
  response_port?: number;
  query_time_sec?: number;
  query_time_nsec?: number;
  query_message?: Uint8Array;
  query_zone?: Uint8Array;
  response_time_sec?: number;
  response_time_nsec?: number;
  response_message?: Uint8Array;
  policy?: Policy;
  http_protocol?: number;
}

export interface Dnstap {
  identity?: Uint8Array;
  version?: Uint8Array;
  extra?: Uint8Array;
  type: number;
  message?: Message;
}

/** The .proto text, for protobufjs (tests use it as an independent decoder). */
export const DNSTAP_PROTO = `
syntax = "proto2";
package dnstap;
message Dnstap {
  optional bytes identity = 1;
  optional bytes version = 2;
  optional bytes extra = 3;
  enum Type { MESSAGE = 1; }
  required Type type = 15;
  optional Message message = 14;
}
enum SocketFamily { INET = 1; INET6 = 2; }
enum SocketProtocol { UDP = 1; TCP = 2; DOT = 3; DOH = 4; DNSCryptUDP = 5; DNSCryptTCP = 6; DOQ = 7; }
enum HttpProtocol { HTTP1 = 1; HTTP2 = 2; HTTP3 = 3; }
message Policy {
  enum Match { QNAME = 1; CLIENT_IP = 2; RESPONSE_IP = 3; NS_NAME = 4; NS_IP = 5; }
  enum Action { NXDOMAIN = 1; NODATA = 2; PASS = 3; DROP = 4; TRUNCATE = 5; LOCAL_DATA = 6; }
  optional string type = 1;
  optional bytes rule = 2;
  optional Action action = 3;
  optional Match match = 4;
  optional bytes value = 5;
}
message Message {
  enum Type {
    AUTH_QUERY = 1; AUTH_RESPONSE = 2; RESOLVER_QUERY = 3; RESOLVER_RESPONSE = 4;
    CLIENT_QUERY = 5; CLIENT_RESPONSE = 6; FORWARDER_QUERY = 7; FORWARDER_RESPONSE = 8;
    STUB_QUERY = 9; STUB_RESPONSE = 10; TOOL_QUERY = 11; TOOL_RESPONSE = 12;
    UPDATE_QUERY = 13; UPDATE_RESPONSE = 14;
  }
  required Type type = 1;
  optional SocketFamily socket_family = 2;
  optional SocketProtocol socket_protocol = 3;
  optional bytes query_address = 4;
  optional bytes response_address = 5;
  optional uint32 query_port = 6;
  optional uint32 response_port = 7;
  optional uint64 query_time_sec = 8;
  optional fixed32 query_time_nsec = 9;
  optional bytes query_message = 10;
  optional bytes query_zone = 11;
  optional uint64 response_time_sec = 12;
  optional fixed32 response_time_nsec = 13;
  optional bytes response_message = 14;
  optional Policy policy = 15;
  optional HttpProtocol http_protocol = 16;
}
`;
