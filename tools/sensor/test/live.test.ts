/** Live capture on the loopback interface: a UDP DNS responder on 127.0.0.1, queries to it, pairs in the output. */
import { createSocket } from "node:dgram";
import { memoryIo, runCommand } from "@dnsrep/cli";
import { describe, expect, it, vi } from "vitest";
import { run } from "../src/nmsg-sensor.js";

/** Why live capture cannot run here (no module, no permission), or undefined when it can. */
async function captureUnavailable(): Promise<string | undefined> {
  try {
    const mod = (await import("pcap")) as unknown as { createSession: (d: string, o: object) => { close(): void } };
    const s = mod.createSession("lo", { filter: "udp port 9" });
    s.close();
    return undefined;
  } catch (e) {
    return (e as Error).message.split("\n")[0];
  }
}

const why = await captureUnavailable();
const noModule = await import("pcap").then(
  () => undefined,
  (e: Error) => e.message.split("\n")[0],
);
// on CI live capture is required: a missing pcap module or capture permission fails the tests instead of skipping them
const ci = Boolean(process.env.CI);
if (why && !ci) console.warn(`live capture test skipped: ${why}`);

describe.runIf(ci)("live capture on CI", () => {
  it("has the pcap module and permission to capture on lo", () => {
    expect(why).toBeUndefined();
  });
});

describe.skipIf(why !== undefined && !ci)("live capture on lo", () => {
  it("captures query/response pairs from a local responder, with a BPF filter", async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const srv = createSocket("udp4");
    srv.on("message", (m, r) => {
      const resp = Buffer.from(m);
      resp[2]! |= 0x80;
      srv.send(resp, r.port, r.address);
    });
    await new Promise<void>((res) => srv.bind(port, "127.0.0.1", res));
    const client = createSocket("udp4");
    const io = memoryIo();
    const done = runCommand(
      "nmsg-sensor",
      run,
      ["-i", "lo", "-b", `udp port ${port}`, "--ports", String(port), "-c", "5", "-t", "20", "-o", "-"],
      io,
    );
    // give libpcap a moment to start, then ask five questions
    await new Promise((r) => setTimeout(r, 1000));
    const name = [3, 119, 119, 119, 7, 101, 120, 97, 109, 112, 108, 101, 4, 116, 101, 115, 116, 0];
    for (let i = 0; i < 5; i++) {
      const q = Buffer.from([0x40, i, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...name, 0, 1, 0, 1]);
      client.send(q, port, "127.0.0.1");
      await new Promise((r) => setTimeout(r, 50));
    }
    const rc = await done;
    client.close();
    srv.close();
    expect(io.err()).toMatch(/payloads=5 query_response=5/);
    expect(rc).toBe(0);
    const out = io.out();
    expect(out.match(/^type: UDP_QUERY_RESPONSE$/gm)).toHaveLength(5);
    expect(out.match(/^qname: www\.example\.test\.$/gm)).toHaveLength(5);
    expect(out).toMatch(new RegExp(`^response_port: ${port}$`, "m"));
  });
});

describe.skipIf(noModule !== undefined && !ci)("an interface that cannot be opened", () => {
  it("is one line, its error: no counters, and no unprefixed libpcap warning", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const io = memoryIo();
      const rc = await runCommand("nmsg-sensor", run, ["-i", "nosuchif0", "-o", "/dev/null"], io);
      expect(rc).toBe(1);
      expect(io.err()).toMatch(/^nmsg-sensor: nosuchif0: cannot capture: [^\n]+\n$/);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});
