import type { Readable } from "node:stream";
import { CliError, type CliIo } from "@dnsrep/cli";

/** The most bytes of a password read from stdin (the server takes passwords of up to 1024 characters). */
const MAX_STDIN = 64 * 1024;

/** A terminal input stream (node:tty's ReadStream), as far as password entry needs it. */
interface TtyInput extends Readable {
  isTTY: true;
  setRawMode(mode: boolean): unknown;
}

function isTty(s: Readable): s is TtyInput {
  return (s as Partial<TtyInput>).isTTY === true && typeof (s as Partial<TtyInput>).setRawMode === "function";
}

/**
 * Read a password for `dnstable-server users add|passwd`. On a terminal: `prompt` on stderr and
 * the keys read in raw mode, echoing nothing (Backspace and Ctrl-U edit, Enter ends, Ctrl-C or
 * Ctrl-D on an empty line give up); with `confirm`, asked twice and compared. Otherwise: the first
 * line of stdin (without its line end). An empty password is an error.
 */
export async function readPassword(io: CliIo, prompt: string, confirm: boolean): Promise<string> {
  if (!isTty(io.stdin)) return firstLine(io.stdin);
  const keys = { input: io.stdin, pending: "" };
  const first = await typed(keys, io, prompt);
  if (confirm) {
    const again = await typed(keys, io, "Again: ");
    if (again !== first) throw new CliError("the passwords differ: nothing changed");
  }
  return first;
}

async function firstLine(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const b = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(b);
    size += b.length;
    if (b.includes(0x0a)) break;
    if (size > MAX_STDIN) throw new CliError(`no line end in the first ${MAX_STDIN} bytes of stdin: not a password`);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  const nl = text.indexOf("\n");
  const line = (nl < 0 ? text : text.slice(0, nl)).replace(/\r$/, "");
  if (line === "") throw new CliError("no password on stdin (give it as the first line)");
  return line;
}

/** A terminal in raw mode and the keys read past the last Enter (a paste may hold both entries). */
interface Keys {
  input: TtyInput;
  pending: string;
}

/** What a key does to the line being typed: "enter", an error that ends the entry, or nothing (the text changed). */
function key(ch: string, line: { text: string }): "enter" | CliError | null {
  if (ch === "\r" || ch === "\n") return "enter";
  if (ch === "\u0003") return new CliError("interrupted: nothing changed");
  if (ch === "\u0004") return line.text === "" ? new CliError("no password given") : null;
  if (ch === "\u007f" || ch === "\b") line.text = [...line.text].slice(0, -1).join("");
  else if (ch === "\u0015") line.text = "";
  else if (ch >= " ") line.text += ch;
  return null;
}

function typed(keys: Keys, io: CliIo, prompt: string): Promise<string> {
  const { input } = keys;
  io.stderr.write(prompt);
  input.setRawMode(true);
  input.setEncoding("utf8");
  const line = { text: "" };
  return new Promise<string>((resolve, reject) => {
    const finish = (err: Error | null): void => {
      input.off("data", onData);
      input.off("end", onEnd);
      input.setRawMode(false);
      input.pause();
      io.stderr.write("\n");
      if (err) reject(err);
      else if (line.text === "") reject(new CliError("no password given"));
      else resolve(line.text);
    };
    const onEnd = (): void => finish(new CliError("no password given (end of input)"));
    const onData = (chunk: string): void => {
      const chars = [...chunk];
      for (let i = 0; i < chars.length; i++) {
        const r = key(chars[i] as string, line);
        if (r === null) continue;
        keys.pending = chars.slice(i + 1).join("");
        finish(r === "enter" ? null : r);
        return;
      }
    };
    const pending = keys.pending;
    keys.pending = "";
    input.on("data", onData);
    input.once("end", onEnd);
    if (pending !== "") onData(pending);
    if (input.listenerCount("data") > 0) input.resume();
  });
}
