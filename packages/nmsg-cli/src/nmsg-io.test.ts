import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { memoryIo, UsageError } from "@dnsrep/cli";
import { decodeMessage, encodeMessage, getModule, type Msg, type NmsgPayload, readPayloads } from "@dnsrep/nmsg";
import { describe, expect, it } from "vitest";
import { openNmsgOutputs, parseAddrPort } from "./index.js";

describe("parseAddrPort", () => {
  it("takes literal IPv4 and IPv6 addresses (IPv6 brackets tolerated), nothing to look up", () => {
    expect(parseAddrPort("-s", "127.0.0.1/5555")).toEqual(["127.0.0.1", 5555]);
    expect(parseAddrPort("-s", "::1/53")).toEqual(["::1", 53]);
    expect(parseAddrPort("-s", "[::1]/53")).toEqual(["::1", 53]);
    for (const bad of ["999.1.1.1/53", "1.2.3/53", "localhost/53", "[1.2.3.4]x/53"])
      expect(() => parseAddrPort("-s", bad)).toThrow(/^-s: not an IP address: /);
    for (const bad of ["127.0.0.1/0", "127.0.0.1/65536", "127.0.0.1", "/53"]) expect(() => parseAddrPort("-l", bad)).toThrow(UsageError);
  });
});

describe("openNmsgOutputs", () => {
  it("writeMessage encodes into nmsg files and text outputs alike, with the stamps", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cli-out-"));
    try {
      const mod = getModule(2, 1)!;
      const msgs: Msg[] = [];
      for (let i = 0; i < 300; i++) {
        msgs.push({
          type: 0,
          count: i + 1,
          rrname: Uint8Array.of(1, 97 + (i % 26), 0),
          rrtype: 1,
          rrclass: 1,
          rdata: [Uint8Array.of(10, 0, i >> 8, i & 255)],
          time_first: 1700000000 + i,
        });
      }
      const nmsg = join(dir, "out.nmsg");
      const json = join(dir, "out.json");
      const io = memoryIo();
      const out = await openNmsgOutputs({ writenmsg: nmsg, writejson: json, setsource: "0x1234" }, io, "nmsg");
      for (const [i, m] of msgs.entries()) await out.writeMessage({ vid: 2, msgtype: 1, timeSec: 1700000000 + i, timeNsec: 5 }, mod, m);
      await out.close();
      const got: NmsgPayload[] = [];
      for await (const p of readPayloads(Readable.from([readFileSync(nmsg)]))) got.push(p);
      expect(got.length).toBe(msgs.length);
      for (const [i, p] of got.entries()) {
        expect(p.source).toBe(0x1234);
        expect(p.timeSec).toBe(1700000000 + i);
        expect(p.payload).toEqual(encodeMessage(mod, msgs[i]!));
        expect(decodeMessage(mod, p.payload)).toMatchObject({ count: i + 1 });
      }
      const lines = readFileSync(json, "utf8").trim().split("\n");
      expect(lines.length).toBe(msgs.length);
      expect(JSON.parse(lines[7]!)).toMatchObject({ source: "00001234", message: { count: 8 } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("writes through a symlink (the link stays), refuses a directory without leaving a temp file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cli-link-"));
    try {
      symlinkSync("real.json", join(dir, "link.json"));
      const out = await openNmsgOutputs({ writejson: join(dir, "link.json") }, memoryIo(), "nmsg");
      await out.writeMessage({ vid: 2, msgtype: 1, timeSec: 1700000000, timeNsec: 0 }, getModule(2, 1)!, { type: 0, count: 1 });
      await out.close();
      expect(lstatSync(join(dir, "link.json")).isSymbolicLink()).toBe(true);
      expect(JSON.parse(readFileSync(join(dir, "real.json"), "utf8"))).toMatchObject({ message: { count: 1 } });
      mkdirSync(join(dir, "sub"));
      await expect(openNmsgOutputs({ writenmsg: join(dir, "sub") }, memoryIo(), "nmsg")).rejects.toThrow(/is a directory/);
      expect(readdirSync(dir).sort()).toEqual(["link.json", "real.json", "sub"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
