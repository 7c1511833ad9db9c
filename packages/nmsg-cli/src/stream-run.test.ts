import { memoryIo } from "@dnsrep/cli";
import { describe, expect, it } from "vitest";
import { runStream, type StreamRun } from "./index.js";

function plan(io: ReturnType<typeof memoryIo>, over: Partial<StreamRun>, log: string[]): StreamRun {
  return {
    name: "t",
    io,
    quiet: false,
    every: 0,
    show: () => "n=1",
    body: async () => {
      log.push("body");
    },
    finish: async (failed) => {
      log.push(`finish ${failed}`);
    },
    cleanup: () => log.push("cleanup"),
    lossLines: () => ["lost 2"],
    ...over,
  };
}

describe("runStream", () => {
  it("runs the body, cleans up, ends the outputs, then prints the counters and loss lines", async () => {
    const io = memoryIo();
    const log: string[] = [];
    await runStream(plan(io, {}, log));
    expect(log).toEqual(["body", "cleanup", "finish false"]);
    expect(io.err()).toBe("t: n=1\nt: lost 2\n");
  });
  it("after a failure: the outputs are told, the counters still printed, the failure rethrown", async () => {
    const io = memoryIo();
    const log: string[] = [];
    const boom = new Error("boom");
    const run = runStream(
      plan(
        io,
        {
          body: async () => {
            throw boom;
          },
        },
        log,
      ),
    );
    await expect(run).rejects.toBe(boom);
    expect(log).toEqual(["cleanup", "finish true"]);
    expect(io.err()).toBe("t: n=1\nt: lost 2\n");
  });
  it("quiet prints nothing; countersAfterFailure false keeps a failed run to its error", async () => {
    const io = memoryIo();
    await runStream(plan(io, { quiet: true }, []));
    const failing = plan(
      io,
      {
        body: async () => {
          throw new Error("x");
        },
        countersAfterFailure: () => false,
      },
      [],
    );
    await expect(runStream(failing)).rejects.toThrow("x");
    expect(io.err()).toBe("");
  });
});
