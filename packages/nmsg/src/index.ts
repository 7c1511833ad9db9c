export {
  DnsDedupeKind,
  DnsDedupeKind as DnsDedupeType,
  DnsQRKind,
  DnsQRKind as DnsQRType,
  dnsdedupeFields,
  dnsFields,
  dnsqrFields,
  ipconnFields,
  MSGTYPE_DNS,
  MSGTYPE_DNSDEDUPE,
  MSGTYPE_DNSQR,
  MSGTYPE_IPCONN,
  UdpChecksum,
  VENDOR_BASE,
  VENDOR_SIE,
} from "./builtin-modules.js";
export type { ZlibEngine } from "./container.js";
export {
  containerHeader,
  decodeFragment,
  decodeNmsg,
  encodeFragment,
  encodeNmsg,
  FLAG_FRAGMENT,
  FLAG_ZLIB,
  MAX_CONTAINER,
  unzlibBody,
  zlibBody,
} from "./container.js";
export { dnsMessageJson } from "./dnsjson.js";
export type { DnsqrPackets } from "./dnsqr-dns.js";
export { dnsqrQuery, dnsqrQueryWire, dnsqrResponse, dnsqrResponseWire } from "./dnsqr-dns.js";
export { isNmsgError, NmsgError, NmsgErrorCode } from "./errors.js";
export type { NmsgFileWriter } from "./file.js";
export { createNmsgFileWriter, readNmsgFile, writeNmsgFile } from "./file.js";
export { formatTime, formatTimeNs, jsonDouble, payloadToJson, payloadToPres, writePayloadPres } from "./format.js";
export { payloadFromJson } from "./json-input.js";
export type { FieldKind, FieldSpec, MessageModule, Msg } from "./module-registry.js";
export { decodeMessage, encodeMessage, findModuleByName, getModule, has, msgtypeId, registerModule, vendorId } from "./module-registry.js";
export type { NmsgPayload, PayloadHeader } from "./payload.js";
export { decodePayload, encodePayload, packedPayloadSize, payloadCrc } from "./payload.js";
export type { RateClock } from "./rate.js";
export { DEFAULT_RATE_FREQ, RateLimiter, realClock } from "./rate.js";
export type { RawBatch } from "./raw-batch.js";
export { decodeRawNmsg, exactPayloadAt, newRawBatch, rawPayloadAt } from "./raw-batch.js";
export { readRawBatches } from "./raw-reader.js";
export type { ReaderStats, ReadOptions } from "./reader.js";
export { ContainerDecoder, newStats, parseHeader, readPayloadBatches, readPayloads } from "./reader.js";
export type { SequenceSource, SequenceTrackerOptions } from "./seqsrc.js";
export { SEQSRC_EXPIRE_SECONDS, SEQSRC_MAX_DELTA, SequenceTracker } from "./seqsrc.js";
export type { FileReadOptions } from "./thread-reader.js";
export { readNmsgFileBatches } from "./thread-reader.js";
export type { Endpoint } from "./transport.js";
export { connectNmsg, listenNmsg } from "./transport.js";
export type { DnsDedupe, DnsQR } from "./typed-messages.js";
export { decodeDnsDedupe, decodeDnsQR, encodeDnsDedupe, encodeDnsQR } from "./typed-messages.js";
export type { UdpDatagram } from "./udp-datagram.js";
export { parseUdpDatagram, verifyUdpChecksum } from "./udp-datagram.js";
export type { EncodedMessage, Sink, WriterOptions } from "./writer.js";
export { encodedBytes, NmsgWriter, WBUFSZ_MAX, WBUFSZ_MIN } from "./writer.js";
