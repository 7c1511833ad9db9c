/**
 * Text forms of dnstap messages: YAML as `dnstap -y` and dnstap-ldns -y print it (header fields
 * in the same order and spelling; the DNS messages in libwdns's dig-like text), and a JSON object
 * in the shape of `dnstap -j` (times as RFC 3339 strings, addresses as text, DNS messages as text).
 */
import { domainToString, ipv4ToString, ipv6ToString, isWdnsError, messageToString, parseMessage } from "@dnsrep/wdns";
import {
  type Dnstap,
  dnstapTypeName,
  httpProtocolName,
  type Message,
  messageTypeName,
  policyActionName,
  policyMatchName,
  socketFamilyName,
  socketProtocolName,
} from "./schema.js";

/** An address as text: IPv4 and IPv6 as usual, any other length as hex. */
export function addressToString(a: Uint8Array): string {
  if (a.length === 4) return ipv4ToString(a);
  if (a.length === 16) return ipv6ToString(a);
  return Array.from(a, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** Bytes as a double-quoted string: printable ASCII as is, `"` and `\` escaped, the rest as \DDD. */
export function quoteBytes(b: Uint8Array): string {
  let s = '"';
  for (const c of b) {
    if (c === 0x22 || c === 0x5c) s += `\\${String.fromCharCode(c)}`;
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += `\\${c.toString().padStart(3, "0")}`;
  }
  return `${s}"`;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, "0");

/** `YYYY-MM-DD HH:MM:SS.uuuuuu` (UTC, microseconds, as dnstap-ldns prints it) */
export function timestampText(sec: number, nsec: number): string {
  const d = new Date(sec * 1000);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(Math.floor(nsec / 1000), 6)}`
  );
}

/** RFC 3339 with nanoseconds, as Go's time.RFC3339Nano prints it (trailing zeros trimmed). */
export function rfc3339Nano(sec: number, nsec: number): string {
  const t = timestampText(sec, 0).replace(" ", "T").slice(0, 19);
  const frac = nsec ? `.${pad(nsec, 9).replace(/0+$/, "")}` : "";
  return `${t}${frac}Z`;
}

/** A DNS message as text; one that does not parse says why and is shown in hex. */
export function dnsMessageText(b: Uint8Array): string {
  try {
    return messageToString(parseMessage(b));
  } catch (e) {
    if (!isWdnsError(e)) throw e;
    return `;; unparseable DNS message (${e.message}): ${Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("")}\n`;
  }
}

function zoneText(z: Uint8Array): string {
  try {
    return domainToString(z);
  } catch {
    return addressToString(z);
  }
}

function indentBlock(text: string, by: string): string {
  return text
    .replace(/\n$/, "")
    .split("\n")
    .map((l) => (l ? by + l : ""))
    .join("\n");
}

/** One message in the YAML form, ending with the document separator `---`. */
export function dnstapToYaml(d: Dnstap): string {
  let s = `type: ${dnstapTypeName(d.type)}\n`;
  if (d.identity) s += `identity: ${quoteBytes(d.identity)}\n`;
  if (d.version) s += `version: ${quoteBytes(d.version)}\n`;
  if (d.extra) s += `extra: ${quoteBytes(d.extra)}\n`;
  const m = d.message;
  if (m) {
    s += "message:\n";
    s += `  type: ${messageTypeName(m.type)}\n`;
    if (m.query_time_sec !== undefined) s += `  query_time: !!timestamp ${timestampText(m.query_time_sec, m.query_time_nsec ?? 0)}\n`;
    if (m.response_time_sec !== undefined)
      s += `  response_time: !!timestamp ${timestampText(m.response_time_sec, m.response_time_nsec ?? 0)}\n`;
    if (m.socket_family !== undefined) s += `  socket_family: ${socketFamilyName(m.socket_family)}\n`;
    if (m.socket_protocol !== undefined) s += `  socket_protocol: ${socketProtocolName(m.socket_protocol)}\n`;
    if (m.http_protocol !== undefined) s += `  http_protocol: ${httpProtocolName(m.http_protocol)}\n`;
    if (m.query_address) s += `  query_address: "${addressToString(m.query_address)}"\n`;
    if (m.response_address) s += `  response_address: "${addressToString(m.response_address)}"\n`;
    if (m.query_port !== undefined) s += `  query_port: ${m.query_port}\n`;
    if (m.response_port !== undefined) s += `  response_port: ${m.response_port}\n`;
    if (m.query_zone) s += `  query_zone: ${JSON.stringify(zoneText(m.query_zone))}\n`;
    if (m.policy) {
      const p = m.policy;
      s += "  policy:\n";
      if (p.type !== undefined) s += `    type: ${JSON.stringify(p.type)}\n`;
      if (p.rule) s += `    rule: ${quoteBytes(p.rule)}\n`;
      if (p.action !== undefined) s += `    action: ${policyActionName(p.action)}\n`;
      if (p.match !== undefined) s += `    match: ${policyMatchName(p.match)}\n`;
      if (p.value) s += `    value: ${quoteBytes(p.value)}\n`;
    }
    if (m.query_message) s += `  query_message: |\n${indentBlock(dnsMessageText(m.query_message), "    ")}\n`;
    if (m.response_message) s += `  response_message: |\n${indentBlock(dnsMessageText(m.response_message), "    ")}\n`;
  }
  return `${s}---\n`;
}

/** One message as a JSON-ready object in the shape of `dnstap -j`. */
export function dnstapToJson(d: Dnstap): Record<string, unknown> {
  const o: Record<string, unknown> = { type: dnstapTypeName(d.type) };
  const latin1 = (b: Uint8Array): string => String.fromCharCode(...b);
  if (d.identity) o.identity = latin1(d.identity);
  if (d.version) o.version = latin1(d.version);
  if (d.extra) o.extra = latin1(d.extra);
  if (d.message) o.message = messageJson(d.message);
  return o;
}

function messageJson(m: Message): Record<string, unknown> {
  const o: Record<string, unknown> = { type: messageTypeName(m.type) };
  if (m.query_time_sec !== undefined) o.query_time = rfc3339Nano(m.query_time_sec, m.query_time_nsec ?? 0);
  if (m.response_time_sec !== undefined) o.response_time = rfc3339Nano(m.response_time_sec, m.response_time_nsec ?? 0);
  if (m.socket_family !== undefined) o.socket_family = socketFamilyName(m.socket_family);
  if (m.socket_protocol !== undefined) o.socket_protocol = socketProtocolName(m.socket_protocol);
  if (m.http_protocol !== undefined) o.http_protocol = httpProtocolName(m.http_protocol);
  if (m.query_address) o.query_address = addressToString(m.query_address);
  if (m.response_address) o.response_address = addressToString(m.response_address);
  // zero ports are left out, as `dnstap -j` leaves them
  if (m.query_port) o.query_port = m.query_port;
  if (m.response_port) o.response_port = m.response_port;
  if (m.query_zone) o.query_zone = zoneText(m.query_zone);
  if (m.policy) {
    const p = m.policy;
    const po: Record<string, unknown> = {};
    if (p.type !== undefined) po.type = p.type;
    if (p.rule) po.rule = String.fromCharCode(...p.rule);
    if (p.action !== undefined) po.action = policyActionName(p.action);
    if (p.match !== undefined) po.match = policyMatchName(p.match);
    if (p.value) po.value = String.fromCharCode(...p.value);
    o.policy = po;
  }
  if (m.query_message) o.query_message = dnsMessageText(m.query_message);
  if (m.response_message) o.response_message = dnsMessageText(m.response_message);
  return o;
}
