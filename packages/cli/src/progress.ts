import type { CliIo } from "./io.js";

/**
 * A single progress line on stderr, redrawn at most every `intervalMs`, only
 * when stderr is a TTY and not quiet. A tick that comes too soon is not lost:
 * the line is redrawn with it once the interval is over (so a stalled input
 * shows the count it stalled at, not an older one). `done()` clears it.
 */
export class Progress {
  readonly #io: CliIo;
  readonly #enabled: boolean;
  readonly #intervalMs: number;
  #last = 0;
  #shown = false;
  /** the render of the latest tick not drawn yet, and the timer that will draw it */
  #latest: (() => string) | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  constructor(io: CliIo, opts: { quiet?: boolean; intervalMs?: number } = {}) {
    this.#io = io;
    this.#enabled = io.stderrIsTTY && !opts.quiet;
    this.#intervalMs = opts.intervalMs ?? 250;
  }
  get enabled(): boolean {
    return this.#enabled;
  }
  /** Redraw with the text from `render` if enough time passed, else once it has (render is only called then). */
  tick(render: () => string): void {
    if (!this.#enabled) return;
    const wait = this.#last + this.#intervalMs - Date.now();
    if (wait > 0) {
      this.#latest = render;
      // one timer at a time, never keeping the process alive
      this.#timer ??= setTimeout(() => this.#drawLatest(), wait).unref();
      return;
    }
    this.#draw(render);
  }
  #drawLatest(): void {
    this.#timer = null;
    const r = this.#latest;
    if (r !== null) this.#draw(r);
  }
  #draw(render: () => string): void {
    this.#latest = null;
    this.#last = Date.now();
    this.#io.stderr.write(`\r\x1b[K${render()}`);
    this.#shown = true;
  }
  done(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#latest = null;
    if (this.#shown) this.#io.stderr.write("\r\x1b[K");
    this.#shown = false;
  }
}
