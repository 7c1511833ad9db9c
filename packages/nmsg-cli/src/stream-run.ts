import { type CliIo, Progress } from "@dnsrep/cli";
import { type NmsgInputFlags, type PayloadHandler, readNmsgInputs } from "./nmsg-input.js";
import type { SocketInputStats } from "./socket-stats.js";

/** What a streaming tool (nmsg-dns-cache, nmsg-dns-filter, nmsg-sensor) hands to {@link runStream}. */
export interface StreamRun {
  /** the tool's name, the prefix of every stderr line */
  name: string;
  io: CliIo;
  /** -q: no progress line and no counters at the end */
  quiet: boolean;
  /** seconds between counters lines on stderr while running; 0 for none */
  every: number;
  /** the counters line (without the name prefix) */
  show: () => string;
  /** reads every input; ticks the progress line it is given */
  body: (progress: Progress) => Promise<void>;
  /**
   * Ends the outputs once the body returned (failed false) or threw (failed true): flush and close
   * them, or abort them (output files left as they were) after an input error.
   */
  finish: (failed: boolean) => Promise<void>;
  /** after the body, before `finish`: what else the tool stops (a signal handler, a timer) */
  cleanup?: () => void;
  /** lines printed after the counters (socket inputs' losses) */
  lossLines?: () => Iterable<string>;
  /** whether the final counters line is printed after a failure (default: yes) */
  countersAfterFailure?: () => boolean;
}

/**
 * The shared loop of the streaming tools: the verbose interval, the progress line, the body with
 * its failure kept, then the outputs ended, the final counters line (unless quiet), and the
 * failure rethrown. The tool's exit status is its own; this only returns when the body succeeded.
 */
export async function runStream(r: StreamRun): Promise<void> {
  const { io, name, show } = r;
  const progress = new Progress(io, { quiet: r.quiet });
  const verbose = r.every > 0 ? setInterval(() => io.stderr.write(`${name}: ${show()}\n`), r.every * 1000) : undefined;
  let failed = false;
  let failure: unknown;
  try {
    await r.body(progress);
  } catch (e) {
    failed = true;
    failure = e;
  } finally {
    r.cleanup?.();
    if (verbose) clearInterval(verbose);
    progress.done();
  }
  await r.finish(failed);
  if (!r.quiet && (!failed || (r.countersAfterFailure?.() ?? true))) {
    io.stderr.write(`${name}: ${show()}\n`);
    for (const l of r.lossLines?.() ?? []) io.stderr.write(`${name}: ${l}\n`);
  }
  if (failed) throw failure;
}

/** A streaming tool that reads NMSG inputs (-r/-l/--readtcp/--readunix), with -v and -q. */
export interface NmsgStreamRun extends Omit<StreamRun, "quiet" | "every" | "body" | "lossLines"> {
  flags: NmsgInputFlags & { verbose?: boolean; quiet?: boolean };
  /** the socket inputs' counters: in `show`'s line, and their losses after it */
  sockets: SocketInputStats;
  /** makes the per-payload handler, given the progress line to tick */
  handler: (progress: Progress) => PayloadHandler;
}

/** {@link runStream} over the NMSG inputs: counters every 10 s with -v, the sockets' loss lines at the end. */
export function runNmsgStream(r: NmsgStreamRun): Promise<void> {
  const { flags, sockets } = r;
  return runStream({
    ...r,
    quiet: flags.quiet === true,
    every: flags.verbose ? 10 : 0,
    lossLines: () => sockets.lossLines(),
    body: (progress) => readNmsgInputs(flags, r.io, r.name, r.handler(progress), true, sockets),
  });
}
