export { downcaseRdata } from "./downcase.js";
export { isWdnsError, WdnsError, WdnsErrorCode } from "./errors.js";
export { messageToString, writeMessage } from "./message-to-string.js";
export {
  countLabels,
  domainToString,
  downcaseName,
  downcaseNameInPlace,
  isSubdomain,
  lenUname,
  MAXLEN_NAME,
  nameFromString,
  nameLength,
  nameToString,
  parentName,
  reverseName,
  sameNameAt,
  skipName,
  unpacked,
  unpackName,
  unpackNameInto,
  writeDomain,
} from "./name.js";
export type { Edns, Message, Question, RR, RRset } from "./parse.js";
export { downcaseRdatas, downcaseRRset, parseMessage, parseRdata, sortRdatas, sortRRset } from "./parse.js";
export { rdataToString, writeRdata } from "./rdata-to-string.js";
export { stringToRdata } from "./string-to-rdata.js";
export {
  opcodeName,
  opcodeToString,
  RRCLASS,
  RRTYPE,
  rcodeName,
  rcodeToString,
  rrclassFromString,
  rrclassName,
  rrclassToString,
  rrtypeFromString,
  rrtypeName,
  rrtypeToString,
} from "./tables.js";
export {
  base32HexDecode,
  base32HexEncode,
  base64Decode,
  base64Encode,
  ipv4ToString,
  ipv6ToString,
  parseIpv4,
  parseIpv6,
} from "./text-codecs.js";
