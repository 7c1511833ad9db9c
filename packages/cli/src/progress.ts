import type { CliIo } from "./io.js";

/**
 * A single progress line on stderr, redrawn at most every `intervalMs`, only
 * when stderr is a TTY and not quiet. `done()` clears it.
 */
export class Progress {
  readonly #io: CliIo;
  readonly #enabled: boolean;
  readonly #intervalMs: number;
  #last = 0;
  #shown = false;
  constructor(io: CliIo, opts: { quiet?: boolean; intervalMs?: number } = {}) {
    this.#io = io;
    this.#enabled = io.stderrIsTTY && !opts.quiet;
    this.#intervalMs = opts.intervalMs ?? 250;
  }
  get enabled(): boolean {
    return this.#enabled;
  }
  /** Redraw with the text from `render` if enough time passed (render is only called then). */
  tick(render: () => string): void {
    if (!this.#enabled) return;
    const now = Date.now();
    if (now - this.#last < this.#intervalMs) return;
    this.#last = now;
    this.#io.stderr.write(`\r\x1b[K${render()}`);
    this.#shown = true;
  }
  done(): void {
    if (this.#shown) this.#io.stderr.write("\r\x1b[K");
    this.#shown = false;
  }
}
