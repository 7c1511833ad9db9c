export { NmsgError, NmsgErrorCode, isNmsgError } from "./errors.js";
export { encodePayload, decodePayload, payloadCrc, packedPayloadSize } from "./payload.js";
export type { NmsgPayload, PayloadHeader } from "./payload.js";
export { decodeNmsg, encodeNmsg, containerHeader, zlibBody, unzlibBody, decodeFragment, encodeFragment, FLAG_ZLIB, FLAG_FRAGMENT, MAX_CONTAINER } from "./container.js";
export { readPayloads, readPayloadBatches, ContainerDecoder, parseHeader, newStats } from "./reader.js";
export type { ReaderStats, ReadOptions } from "./reader.js";
export type { ZlibEngine } from "./container.js";
export { NmsgWriter, WBUFSZ_MAX, WBUFSZ_MIN } from "./writer.js";
export type { WriterOptions, Sink } from "./writer.js";
export { readNmsgFile, createNmsgFileWriter, writeNmsgFile } from "./file.js";
export type { NmsgFileWriter } from "./file.js";
export { registerModule, getModule, findModuleByName, vendorId, msgtypeId, decodeMessage, encodeMessage, has } from "./module.js";
export type { MessageModule, FieldSpec, FieldKind, Msg } from "./module.js";
export { payloadToPres, payloadToJson, formatTime, formatTimeNs, jsonDouble } from "./format.js";
export { payloadFromJson } from "./json-input.js";
export {
  VENDOR_BASE, VENDOR_SIE, MSGTYPE_DNSQR, MSGTYPE_DNSDEDUPE, MSGTYPE_DNS, MSGTYPE_IPCONN, dnsFields, ipconnFields, DnsQRKind, UdpChecksum, DnsDedupeKind, dnsqrFields, dnsdedupeFields,
} from "./modules.js";
export { DnsQRKind as DnsQRType, DnsDedupeKind as DnsDedupeType } from "./modules.js";
export { encodeDnsQR, decodeDnsQR, encodeDnsDedupe, decodeDnsDedupe } from "./typed.js";
export type { DnsQR, DnsDedupe } from "./typed.js";
export { dnsMessageJson } from "./dnsjson.js";
export { parseUdpDatagram, verifyUdpChecksum } from "./ipdg.js";
export { listenNmsg, connectNmsg } from "./transport.js";
export type { Endpoint } from "./transport.js";
