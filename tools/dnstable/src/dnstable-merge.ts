import { aboutFile, CliError, type CliIo, checkSignal, configureProgram, Progress, packageVersion, UsageError } from "@dnsrep/cli";
import { dnstableMerge, holdsCorrupt, isDnstableError } from "@dnsrep/dnstable";
import { isMtblError, Merger, type Reader, verifyFile, Writer } from "@dnsrep/mtbl";
import { addCodecOptions, parseBlockSize, parseCodecFlags } from "@dnsrep/mtbl-tools";
import { Command } from "commander";
import { openMtbl } from "./inputs.js";

/** The inputs whose entry for `key` does not decode: the files a merge failure is about. */
function holding(inputs: string[], readers: Reader[], key: Uint8Array): string[] {
  return inputs.filter((_f, i) => holdsCorrupt(readers[i] as Reader, key));
}

/**
 * dnstable-merge: merge dnstable files (e.g. hourly into daily) with dnstable's merge function. A
 * value the merge cannot fold (libdnstable's merge asserts) fails the run, naming the input and
 * the key; the output's temporary file is removed.
 */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const p = configureProgram(new Command("dnstable-merge"), io, packageVersion(import.meta.url))
    .description("Merge dnstable data files into one, folding equal keys with the dnstable merge function (dnstable_merge)")
    .usage("[-c CODEC] [-l LEVEL] [-b BLOCKSIZE] [-q] INPUT... OUTPUT");
  addCodecOptions(p)
    .option("-b <size>", "data block size in bytes", "8192")
    .option("-q, --quiet", "no summary on stderr")
    .argument("<files...>", "input files, then the output file");
  p.parse(argv, { from: "user" });
  const o = p.opts<{ c: string; l?: string; b: string; quiet?: boolean }>();
  if (p.args.length < 2) throw new UsageError("need at least one input file and an output file");
  const inputs = p.args.slice(0, -1);
  const output = p.args[p.args.length - 1] as string;
  const opts = { ...parseCodecFlags(o.c, o.l), blockSize: parseBlockSize(o.b) };
  const readers: Reader[] = [];
  const progress = new Progress(io, { quiet: o.quiet === true });
  const t0 = process.hrtime.bigint();
  let n = 0;
  let w: Writer | undefined;
  try {
    // a damaged block is an error (bad CRC32C), not values merged into the output
    for (const f of inputs) readers.push(openMtbl(f, { verifyChecksums: true }));
    w = Writer.create(output, opts);
    const it = new Merger(readers, dnstableMerge).iter();
    while (it.next()) {
      w.add(it.key, it.value);
      // every 64Ki entries: a signal stops the merge (the output is not written), and progress is drawn
      if ((++n & 0xffff) === 0) {
        await checkSignal(io);
        progress.tick(() => `dnstable-merge: ${n} entries`);
      }
    }
    progress.done();
    w.close();
  } catch (e) {
    progress.done();
    w?.abort();
    if (isDnstableError(e) && e.key !== undefined) {
      const files = holding(inputs, readers, e.key);
      throw new CliError(files.length > 0 ? aboutFile(files.join(", "), e.message) : e.message);
    }
    if (isMtblError(e)) {
      // a damaged block met while merging: the input it is in, found by verifying each (failure path only)
      const bad = readers.findIndex((r) => verifyFile(r) !== null);
      throw new CliError(bad >= 0 ? aboutFile(inputs[bad] as string, e.message) : e.message);
    }
    throw e;
  } finally {
    for (const r of readers) r.close();
  }
  if (!o.quiet) {
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    io.stderr.write(`dnstable-merge: wrote ${n} entries from ${inputs.length} files in ${secs.toFixed(2)} sec\n`);
  }
  return 0;
}
