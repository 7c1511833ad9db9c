export type { ControlFrame } from "./control.js";
export {
  CONTENT_TYPE_LENGTH_MAX,
  CONTROL_FRAME_LENGTH_MAX,
  ControlType,
  controlName,
  DNSTAP_CONTENT_TYPE,
  decodeControl,
  encodeControl,
  FIELD_CONTENT_TYPE,
} from "./control.js";
export {
  DnstapView,
  decodeDnstap,
  decodeDnstapView,
  F_EXTRA,
  F_IDENTITY,
  F_MESSAGE,
  F_VERSION,
  M_HTTP_PROTOCOL,
  M_POLICY,
  M_QUERY_ADDRESS,
  M_QUERY_MESSAGE,
  M_QUERY_PORT,
  M_QUERY_TIME_NSEC,
  M_QUERY_TIME_SEC,
  M_QUERY_ZONE,
  M_RESPONSE_ADDRESS,
  M_RESPONSE_MESSAGE,
  M_RESPONSE_PORT,
  M_RESPONSE_TIME_NSEC,
  M_RESPONSE_TIME_SEC,
  M_SOCKET_FAMILY,
  M_SOCKET_PROTOCOL,
} from "./decode.js";
export { encodeDnstap } from "./encode.js";
export { DnstapError, DnstapErrorCode, isDnstapError } from "./errors.js";
export type { DataFrameHandler, FrameStreamReaderOptions } from "./file-reader.js";
export { FrameStreamReader, readFrameStream } from "./file-reader.js";
export type { FrameHandler } from "./frame-parser.js";
export { DEFAULT_MAX_FRAME_LENGTH, FrameParser } from "./frame-parser.js";
export {
  addressToString,
  dnsMessageText,
  dnstapToJson,
  dnstapToYaml,
  quoteBytes,
  rfc3339Nano,
  timestampText,
} from "./present.js";
export type { Dnstap, Message, MessageType as MessageTypeValue, Policy } from "./schema.js";
export {
  DNSTAP_PROTO,
  DnstapType,
  dnstapTypeName,
  HttpProtocol,
  httpProtocolName,
  isResponseType,
  MessageType,
  messageTypeFromName,
  messageTypeName,
  PolicyAction,
  PolicyMatch,
  policyActionName,
  policyMatchName,
  SocketFamily,
  SocketProtocol,
  socketFamilyName,
  socketProtocolName,
} from "./schema.js";
export type { ListenSpec, ReceiverEvents, ReceiverOptions } from "./server.js";
export { FstrmReceiver } from "./server.js";
export type { SessionHandler } from "./session.js";
export { FstrmSession } from "./session.js";
export type { DnsqrConvertStats } from "./to-dnsqr.js";
export { DEFAULT_DNSQR_TYPES, DnstapToDnsqr, newConvertStats } from "./to-dnsqr.js";
export type { ChunkSink } from "./writer.js";
export { encodeFrameStream, FrameStreamWriter } from "./writer.js";
