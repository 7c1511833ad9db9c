import { CliError } from "./errors.js";
import type { CliIo } from "./io.js";

/**
 * The error a merge stopped by SIGINT or SIGTERM ends with (exit 1): its output is not written, as a
 * merge cut short would be wrong data. Streaming tools do the opposite: a signal stops their input,
 * and what they read is flushed and committed (exit 0).
 */
export function interrupted(): CliError {
  return new CliError("interrupted by a signal: output not written");
}

/**
 * A controller for a run's own stops (-c, -t, a handler's "no more") that also fires when `signal`
 * does, at once if it already has: a signal that came while the tool was starting (opening its
 * outputs) still stops the input, rather than being missed by a listener added after it. The
 * listener is removed by `release()`.
 */
export function stopController(signal?: AbortSignal): AbortController & { release(): void } {
  const ac = new AbortController();
  const abort = (): void => ac.abort();
  if (signal?.aborted) ac.abort();
  else signal?.addEventListener("abort", abort, { once: true });
  return Object.assign(ac, { release: () => signal?.removeEventListener("abort", abort) });
}

/**
 * A pause in a long synchronous loop (a merge, a sort): lets the event loop run — the signal
 * handlers that fire io.signal, progress — and throws interrupted() once io.signal has fired.
 * Meant for every few tens of thousands of steps: each call waits for one turn of the loop.
 */
export async function checkSignal(io: CliIo): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (io.signal?.aborted) throw interrupted();
}
