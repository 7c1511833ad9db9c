export { WdnsError, WdnsErrorCode, isWdnsError } from "./errors.js";
export {
  rrtypeToString, rrtypeFromString, rrtypeName, rrclassToString, rrclassFromString, rrclassName,
  rcodeToString, rcodeName, opcodeToString, opcodeName, RRTYPE, RRCLASS,
} from "./tables.js";
export {
  unpackName, skipName, lenUname, nameLength, domainToString, nameToString, nameFromString, downcaseName,
  downcaseNameInPlace, reverseName, countLabels, isSubdomain, parentName, MAXLEN_NAME,
} from "./name.js";
export { parseMessage, parseRdata, downcaseRRset, sortRRset } from "./parse.js";
export type { Message, RRset, RR, Question, Edns } from "./parse.js";
export { downcaseRdata } from "./downcase.js";
export { rdataToString } from "./rdata-to-string.js";
export { messageToString } from "./message-to-string.js";
export { stringToRdata } from "./string-to-rdata.js";
export { ipv4ToString, ipv6ToString, parseIpv4, parseIpv6, base64Encode, base64Decode, base32HexEncode, base32HexDecode } from "./text-codecs.js";
