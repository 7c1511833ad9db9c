/** Test helper: the frames of a log vector's dnstap file, decoded. */
import { readVector } from "../../../test/vectors.js";
import { type Dnstap, decodeDnstap, FrameStreamReader } from "../src/index.js";

/** Every frame of a vector file, decoded, read in chunks of `chunk` bytes. */
export function framesOf(rel: string, chunk: number): { messages: Dnstap[]; offsets: number[]; reader: FrameStreamReader } {
  const b = readVector(`logs/${rel}`);
  const messages: Dnstap[] = [];
  const offsets: number[] = [];
  const reader = new FrameStreamReader((f, at) => {
    // the frame is borrowed: decode a copy so the views outlive the call
    messages.push(decodeDnstap(f.slice(), at));
    offsets.push(at);
  });
  for (let i = 0; i < b.length; i += chunk) reader.push(b.subarray(i, i + chunk));
  reader.end();
  return { messages, offsets, reader };
}
