/**
 * What a tool's socket inputs (-l, --readtcp, --readunix) report: containers received and
 * counted lost from their sequence numbers (a SequenceTracker, keyed per sender as libnmsg keys
 * it), and the receive buffer each UDP socket got. readNmsgInputs fills it; the tool prints
 * `counters()` in its counters line and `lossLines()` at exit.
 */
import { SequenceTracker } from "@dnsrep/nmsg";

/** the receive buffer libnmsg asks for on UDP inputs (nmsg/io.c: SO_RCVBUFFORCE, as root) */
export const UDP_RECV_BUFFER = 16 << 20;

export class SocketInputStats {
  readonly sequences: SequenceTracker;
  /** whether any socket input was opened (the counters are shown only then) */
  used = false;
  /** called once a UDP input is bound, with the receive buffer the kernel granted (bytes) */
  onListening: ((spec: string, recvBufferSize: number) => void) | undefined;

  constructor(sequences: SequenceTracker = new SequenceTracker()) {
    this.sequences = sequences;
  }

  /** With -v: say on `out`, as `PROG: -l SPEC: receive buffer …`, what each UDP socket was granted. */
  reportListening(prog: string, out: { write(s: string): unknown }): void {
    this.onListening = (spec, size) =>
      out.write(`${prog}: -l ${spec}: receive buffer ${size} bytes (asked ${UDP_RECV_BUFFER}; net.core.rmem_max caps it)\n`);
  }

  /** nmsgtool's totals (container_recvs, container_drops), or "" when no socket input was opened */
  counters(): string {
    if (!this.used) return "";
    return `container_recvs=${this.sequences.received} container_drops=${this.sequences.lost}`;
  }

  /** One line per sender that lost containers (the sources still known). */
  lossLines(): string[] {
    const lines: string[] = [];
    for (const s of this.sequences.sources()) {
      if (s.lost === 0) continue;
      const id = s.sequenceId.toString(16).padStart(16, "0");
      lines.push(
        `${s.peer} (sequence id ${id}): ${s.lost} container${s.lost === 1 ? "" : "s"} lost, ${s.received} received` +
          (s.restarts ? `, ${s.restarts} restart${s.restarts === 1 ? "" : "s"} (reordered, duplicated or jumped)` : ""),
      );
    }
    return lines;
  }
}
