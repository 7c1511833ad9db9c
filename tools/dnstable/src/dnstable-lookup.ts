import { type CliIo, CliError, OutputWriter, UsageError } from "@dnsrep/cli";
import { EntryType, decodeRRsetKey, isDnstableError, reverseWireName } from "@dnsrep/dnstable";
import { isMtblError, Reader } from "@dnsrep/mtbl";
import { downcaseName, isWdnsError, nameFromString, rrtypeFromString } from "@dnsrep/wdns";
import { formatEntry } from "./dnstable-dump.js";

/**
 * dnstable-lookup (partial): `rrset NAME [TYPE [BAILIWICK]]` with exact names and right-hand
 * `*.` (at or below) / `+.` (exactly one label below) wildcards over DNSTABLE_FNAME; text or -j output.
 */
export async function run(argv: string[], io: CliIo): Promise<number> {
  let json = false;
  let caseSensitive = false;
  const pos: string[] = [];
  for (const a of argv) {
    if (pos.length === 0 && a === "-j") json = true;
    else if (pos.length === 0 && a === "-C") caseSensitive = true;
    else if (pos.length === 0 && a.startsWith("-") && a.length > 1) throw new CliError(`option ${a} is not supported yet`);
    else pos.push(a);
  }
  if (pos[0] !== "rrset") {
    if (pos[0] === "rdata" || pos[0] === "time_range" || pos[0] === "version")
      throw new CliError(`${pos[0]} queries are not supported yet`);
    throw new UsageError("usage: dnstable-lookup [-j] [-C] rrset NAME [TYPE [BAILIWICK]]");
  }
  if (pos.length < 2 || pos.length > 4) throw new UsageError("usage: dnstable-lookup [-j] [-C] rrset NAME [TYPE [BAILIWICK]]");
  let text = pos[1] as string;
  let mode: "exact" | "at-or-below" | "below" = "exact";
  let left: "none" | "any" | "one" = "none";
  if (text.endsWith(".*")) {
    left = "any";
    text = text.slice(0, -2);
  } else if (text.endsWith(".+")) {
    left = "one";
    text = text.slice(0, -2);
  } else if (text.startsWith("*.")) {
    mode = "at-or-below";
    text = text.slice(2);
  } else if (text.startsWith("+.")) {
    mode = "below";
    text = text.slice(2);
  }
  if (text === "*" || text === "+" || text.startsWith("*.") || text.startsWith("+."))
    throw new CliError("this wildcard form is not supported yet");
  let rrtype: number | undefined;
  let bailiwick: Uint8Array | undefined;
  let name: Uint8Array;
  try {
    name = nameFromString(text);
    if (!caseSensitive) name = downcaseName(name);
    if (pos[2] !== undefined) {
      rrtype = rrtypeFromString(pos[2]);
      if (rrtype === undefined) throw new UsageError(`unknown rrtype: ${pos[2]}`);
    }
    if (pos[3] !== undefined) bailiwick = downcaseName(nameFromString(pos[3]));
  } catch (e) {
    if (isWdnsError(e)) throw new UsageError(`bad name: ${e.message}`);
    throw e;
  }
  const fname = io.env.DNSTABLE_FNAME;
  if (fname === undefined) throw new UsageError("DNSTABLE_FNAME is not set");
  let reader: Reader;
  try {
    reader = Reader.open(fname);
  } catch (e) {
    if (isMtblError(e)) throw new CliError(`${fname}: ${e.message}`);
    throw e;
  }
  const out = new OutputWriter(io.stdout);
  let n = 0;
  const names: Uint8Array[] = [];
  if (left === "none") names.push(name);
  else {
    const fwd = new Uint8Array(name.length);
    fwd[0] = EntryType.RRSET_NAME_FWD;
    fwd.set(name.subarray(0, name.length - 1), 1);
    try {
      const it = reader.getPrefix(fwd);
      while (it.next()) {
        const k = it.key;
        const rest = k.length - fwd.length;
        if (rest <= 1) continue;
        if (left === "one" && (k[fwd.length] ?? 0) + 2 !== rest) continue;
        names.push(k.slice(1));
      }
    } catch (e) {
      reader.close();
      if (isMtblError(e)) throw new CliError(`${fname}: ${e.message}`);
      throw e;
    }
  }
  try {
    for (const qname of names) {
      const rev = reverseWireName(qname);
      const prefix = new Uint8Array(rev.length + (mode === "exact" ? 1 : 0));
      prefix[0] = EntryType.RRSET;
      prefix.set(mode === "exact" ? rev : rev.subarray(0, rev.length - 1), 1);
      const it = reader.getPrefix(prefix);
      while (it.next()) {
        const key = it.key;
        if (mode === "below") {
          const l = key[prefix.length] ?? 0;
          if (l === 0 || key[prefix.length + 1 + l] !== 0) continue;
        }
        let line: string | null = null;
        try {
          const k = decodeRRsetKey(key);
          if (rrtype !== undefined && k.rrtype !== rrtype) continue;
          if (bailiwick !== undefined && !sameBytes(downcaseName(k.bailiwick), bailiwick)) continue;
          line = formatEntry(EntryType.RRSET, key, it.value, json);
        } catch (e) {
          if (!isDnstableError(e)) throw e;
        }
        if (line === null) continue;
        await out.text(line);
        n++;
      }
    }
  } catch (e) {
    if (isMtblError(e)) throw new CliError(`${fname}: ${e.message}`);
    throw e;
  } finally {
    reader.close();
  }
  await out.flush();
  if (!json) io.stderr.write(`;;; Dumped ${n} entries.\n`);
  return 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
