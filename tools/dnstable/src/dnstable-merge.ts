import { CliError, type CliIo, configureProgram, parseIntOption, parseOption, UsageError } from "@dnsrep/cli";
import { dnstableMerge } from "@dnsrep/dnstable";
import { isMtblError, Merger, parseCompression, Reader, Writer } from "@dnsrep/mtbl";
import { Command } from "commander";

function openInput(path: string): Reader {
  try {
    return Reader.open(path);
  } catch (e) {
    if (isMtblError(e)) throw new CliError(e.message.startsWith(path) ? e.message : `${path}: ${e.message}`);
    throw e;
  }
}

/** dnstable-merge: merge dnstable files (e.g. hourly into daily) with dnstable's merge function. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const p = configureProgram(new Command("dnstable-merge"), io)
    .description("Merge dnstable data files into one, folding equal keys with the dnstable merge function (dnstable_merge)")
    .usage("[-c CODEC] [-l LEVEL] [-b BLOCKSIZE] [-q] INPUT... OUTPUT")
    .option("-c <codec>", "compression: none, snappy, zlib, lz4, lz4hc, zstd", "zlib")
    .option("-l <level>", "compression level")
    .option("-b <size>", "data block size in bytes", "8192")
    .option("-q, --quiet", "no summary on stderr")
    .argument("<files...>", "input files, then the output file");
  p.parse(argv, { from: "user" });
  const o = p.opts<{ c: string; l?: string; b: string; quiet?: boolean }>();
  if (p.args.length < 2) throw new UsageError("need at least one input file and an output file");
  const inputs = p.args.slice(0, -1);
  const output = p.args[p.args.length - 1] as string;
  const compression = parseOption("-c", o.c, parseCompression);
  const opts = {
    compression,
    blockSize: parseIntOption("-b", o.b, 1, 1 << 30),
    ...(o.l !== undefined ? { level: parseIntOption("-l", o.l, -1, 22) } : {}),
  };
  const readers: Reader[] = [];
  const t0 = process.hrtime.bigint();
  let n = 0;
  let w: Writer | undefined;
  try {
    for (const f of inputs) readers.push(openInput(f));
    w = Writer.create(output, opts);
    const it = new Merger(readers, dnstableMerge).iter();
    while (it.next()) {
      w.add(it.key, it.value);
      n++;
    }
    w.close();
  } catch (e) {
    w?.abort();
    if (isMtblError(e)) throw new CliError(e.message);
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
