import type { Command } from "commander";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, errorLine, exitCodeOf, isBrokenPipe, UsageError } from "./errors.js";
import { type CliIo, processIo } from "./io.js";
import { versionLine } from "./version.js";

/** A command: parses argv (without node and script), does its work, returns the exit status. */
export type RunFn = (argv: string[], io: CliIo) => Promise<number>;

/**
 * Run a command in-process and turn anything it throws into a one-line
 * message on stderr (`prog: message`) and an exit status. Never throws.
 */
export async function runCommand(prog: string, run: RunFn, argv: string[], io: CliIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (err) {
    if (isBrokenPipe(err)) return EXIT_OK;
    if (isCommanderError(err)) {
      if (err.exitCode === 0 || err.code === "commander.helpDisplayed" || err.code === "commander.version") return EXIT_OK;
      // commander already printed its message through configureOutput
      return EXIT_USAGE;
    }
    io.stderr.write(`${prog}: ${errorLine(err)}\n`);
    return exitCodeOf(err);
  }
}

/**
 * Whether `err` is commander's CommanderError (or its InvalidArgumentError): told by its `code`
 * ("commander.…") and numeric `exitCode` rather than by `instanceof`, so that a tool that does not
 * parse with commander (dnstable-lookup) does not load it to run.
 */
function isCommanderError(err: unknown): err is { code: string; exitCode: number } {
  if (typeof err !== "object" || err === null) return false;
  const { code, exitCode } = err as { code?: unknown; exitCode?: unknown };
  return typeof code === "string" && code.startsWith("commander.") && typeof exitCode === "number";
}

/**
 * Entry point for a tool's bin script: runs with the process's stdio, handles
 * EPIPE on stdout as a normal end, SIGINT/SIGTERM through an AbortSignal, and
 * sets the exit code. `exitWhenDone` says, once the run has finished and its output is flushed,
 * whether to exit right away instead of waiting for the event loop to empty.
 */
export function main(prog: string, run: RunFn, opts: { exitWhenDone?: () => boolean } = {}): void {
  const ac = new AbortController();
  const onSignal = (): void => ac.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  // stdout failing other than by a closed pipe (a full disk, /dev/full) loses output: remembered, and
  // the run fails with it unless it already failed (an OutputWriter reports it itself)
  let stdoutError: unknown = null;
  process.stdout.on("error", (err) => {
    if (stdoutError !== null) return; // later writes to the failed stream fail too
    if (isBrokenPipe(err)) process.exit(0);
    stdoutError = err;
  });
  // checked as the process exits: a write's failure may be reported after the run has finished
  process.on("exit", () => {
    if (stdoutError === null || (process.exitCode ?? EXIT_OK) !== EXIT_OK) return;
    process.stderr.write(`${prog}: stdout: ${errorLine(stdoutError)}\n`);
    process.exitCode = EXIT_FAILURE;
  });
  // nothing can be reported on a stderr that failed (a closed pipe: `2>&1 | head`)
  process.stderr.on("error", () => {});
  const io = processIo(ac.signal);
  runCommand(prog, run, process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      // a native module may hold the event loop after the tool finished (libpcap's poll handle); after a
      // signal, so may an abandoned read of a stdin that is still open: the run has finished and flushed
      if (ac.signal.aborted || opts.exitWhenDone?.()) process.exit(code);
    },
    (err: unknown) => {
      process.stderr.write(`${prog}: ${errorLine(err)}\n`);
      process.exitCode = 1;
    },
  );
}

/**
 * Make a commander program wired for in-process use: errors go to io.stderr
 * as `prog: message`, help to io.stdout, and nothing calls process.exit. Usage errors surface as
 * CommanderError (mapped to exit 2 by runCommand). With `version` (the tool's package version,
 * from packageVersion), `--version` prints `prog (dnsrep) VERSION` and exits 0.
 */
export function configureProgram(program: Command, io: CliIo, version?: string): Command {
  if (version !== undefined) program.version(versionLine(program.name(), version), "--version", "print the version and exit");
  program
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // a usage error as every other error: `prog: message` (commander writes `error: message`)
      outputError: (s, write) => write(`${program.name()}: ${s.replace(/^error: /, "")}`),
    })
    .showHelpAfterError(false)
    .allowExcessArguments(false);
  return program;
}

/** Parse a decimal integer option or throw a UsageError naming the flag. */
export function parseIntOption(flag: string, text: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^-?\d+$/.test(text)) throw new UsageError(`${flag}: not an integer: ${JSON.stringify(text)}`);
  const v = Number(text);
  if (!Number.isSafeInteger(v) || v < min || v > max) throw new UsageError(`${flag}: must be between ${min} and ${max}`);
  return v;
}

/** Run an option parser; any error it throws becomes a UsageError naming the flag (exit 2). */
export function parseOption<T>(flag: string, text: string, parse: (text: string) => T): T {
  try {
    return parse(text);
  } catch (e) {
    throw new UsageError(`${flag}: ${(e as Error).message}`);
  }
}
