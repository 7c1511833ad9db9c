import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { CliError, type CliIo, checkSignal, configureProgram, Progress, packageVersion, parseIntOption, UsageError } from "@dnsrep/cli";
import { isMtblError, type MergeFn, Merger, type MtblIterator, type Reader, verifyFile, Writer } from "@dnsrep/mtbl";
import { concatBytes } from "@dnsrep/util";
import { Command } from "commander";
import { openReader } from "./open-reader.js";
import { addCodecOptions, parseBlockSize, parseCodecFlags } from "./writer-flags.js";

/** Built-in merge functions by name; "dnstable" loads @dnsrep/dnstable only when it is asked for. */
export async function resolveMerge(name: string, sep: string): Promise<MergeFn> {
  const sepBytes = new TextEncoder().encode(sep);
  switch (name) {
    case "concat":
      return (_k, a, b) => concatBytes([a, sepBytes, b]);
    case "first":
      return (_k, a) => a;
    case "last":
      return (_k, _a, b) => b;
    case "dnstable": {
      const { dnstableMerge } = await import("@dnsrep/dnstable");
      return dnstableMerge;
    }
    default: {
      const path = isAbsolute(name) ? name : resolve(name);
      if (!existsSync(path)) throw new UsageError(`unknown merge function or module: ${name}`);
      const mod = (await import(pathToFileURL(path).href)) as { default?: unknown; merge?: unknown };
      const fn = mod.default ?? mod.merge;
      if (typeof fn !== "function") throw new UsageError(`${name}: module must export a default function (key, a, b) => Uint8Array`);
      return (k, a, b) => {
        const v = (fn as (k: Uint8Array, a: Uint8Array, b: Uint8Array) => unknown)(k, a, b);
        if (typeof v === "string") return new TextEncoder().encode(v);
        if (v instanceof Uint8Array) return v;
        throw new CliError(`${name}: merge function returned neither bytes nor a string`);
      };
    }
  }
}

/** Count merge calls, for the summary line. */
function counting(fn: MergeFn, counter: { n: number }): MergeFn {
  return (k, a, b) => {
    counter.n++;
    return fn(k, a, b);
  };
}

/** mtbl-merge: merge mtbl files into one, folding equal keys with a merge function. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const p = configureProgram(new Command("mtbl-merge"), io, packageVersion(import.meta.url))
    .description("Merge sorted mtbl files into a new one (mtbl_merge); equal keys are folded with a merge function")
    .usage("[-c CODEC] [-l LEVEL] [-b BLOCKSIZE] [-r RESTART] [--merge NAME|MODULE] [--sep S] [-q] IN... OUT");
  addCodecOptions(p)
    .option("-b <size>", "data block size in bytes", "8192")
    .option("-r <n>", "restart interval", "16")
    .option("--merge <name>", "merge function: concat, first, last, dnstable, or a JS module exporting a default function")
    .option("--sep <s>", "separator for --merge concat", "|")
    .option("-q, --quiet", "no progress or summary on stderr")
    .argument("<files...>", "input files, then the output file");
  p.parse(argv, { from: "user" });
  const o = p.opts<{ c: string; l?: string; b: string; r: string; merge?: string; sep: string; quiet?: boolean }>();
  if (p.args.length < 2) throw new UsageError("need at least one input file and an output file");
  const inputs = p.args.slice(0, -1);
  const output = p.args[p.args.length - 1] as string;
  const opts = {
    ...parseCodecFlags(o.c, o.l),
    blockSize: parseBlockSize(o.b),
    restartInterval: parseIntOption("-r", o.r, 1, 1 << 20),
  };
  const counter = { n: 0 };
  const merge = o.merge ? counting(await resolveMerge(o.merge, o.sep), counter) : undefined;
  const say = (s: string): void => {
    if (!o.quiet) io.stderr.write(`mtbl-merge: ${s}\n`);
  };
  const readers: Reader[] = [];
  say(`opening output file ${output}`);
  const w = Writer.create(output, opts);
  const progress = new Progress(io, { quiet: o.quiet === true });
  const t0 = process.hrtime.bigint();
  let n = 0;
  try {
    for (const f of inputs) {
      say(`opening input file ${f}`);
      readers.push(openReader(f, { verifyChecksums: true })); // a damaged block is an error, not merged values
    }
    const it: MtblIterator = new Merger(readers, merge).iter();
    while (it.next()) {
      try {
        w.add(it.key, it.value);
      } catch (e) {
        if (isMtblError(e) && e.code === "ERR_ORDER") {
          throw new CliError("duplicate key in the inputs and no merge function (use --merge)");
        }
        throw e;
      }
      // every 64Ki entries: a signal stops the merge (the output is not written), and progress is drawn
      if ((++n & 0xffff) === 0) {
        await checkSignal(io);
        progress.tick(() => `mtbl-merge: ${n} entries (${counter.n} merged)`);
      }
    }
    progress.done();
    w.close();
  } catch (e) {
    progress.done();
    w.abort();
    if (isMtblError(e)) {
      // a damaged block met while merging: the input it is in, found by verifying each (failure path only)
      const bad = readers.findIndex((r) => verifyFile(r) !== null);
      throw new CliError(bad >= 0 && !e.message.startsWith(inputs[bad] as string) ? `${inputs[bad]}: ${e.message}` : e.message);
    }
    throw e;
  } finally {
    for (const r of readers) r.close();
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const rate = (x: number): number => (secs > 0 ? Math.round(x / secs) : 0);
  say(`wrote ${n} entries (${counter.n} merged) in ${secs.toFixed(2)} sec, ${rate(n)} ent/sec, ${rate(counter.n)} merge/sec`);
  return 0;
}
