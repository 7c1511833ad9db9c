/**
 * Frame Streams control frames (fstrm's control.c as a format): a big-endian control type, then
 * fields of (type, length, value); the only field type is CONTENT_TYPE. On the wire a control
 * frame follows an escape (a zero data-frame length) and its own 32-bit length.
 */
import { DnstapError, DnstapErrorCode } from "./errors.js";

/** Control frame types. */
export const ControlType = {
  ACCEPT: 1,
  START: 2,
  STOP: 3,
  READY: 4,
  FINISH: 5,
} as const;
export type ControlType = (typeof ControlType)[keyof typeof ControlType];

const CONTROL_NAMES = ["", "ACCEPT", "START", "STOP", "READY", "FINISH"] as const;

/** The name of a control type (ACCEPT … FINISH), or CONTROL<n>. */
export function controlName(t: number): string {
  return CONTROL_NAMES[t] || `CONTROL${t}`;
}

/** The control field type carrying a content type. */
export const FIELD_CONTENT_TYPE = 1;
/** fstrm's limit on a control frame's length (FSTRM_CONTROL_FRAME_LENGTH_MAX). */
export const CONTROL_FRAME_LENGTH_MAX = 512;
/** fstrm's limit on a content type's length (FSTRM_CONTROL_FIELD_CONTENT_TYPE_LENGTH_MAX). */
export const CONTENT_TYPE_LENGTH_MAX = 256;
/** dnstap's content type. */
export const DNSTAP_CONTENT_TYPE = "protobuf:dnstap.Dnstap";

export interface ControlFrame {
  type: number;
  /** the CONTENT_TYPE fields, in order (latin1: fstrm treats them as bytes) */
  contentTypes: string[];
}

/**
 * Decode a control frame's payload (after escape and length). Fields of unknown type are skipped;
 * STOP and FINISH carry none, START at most one content type (as fstrm checks).
 */
export function decodeControl(b: Uint8Array, offset = 0): ControlFrame {
  const bad = (why: string): DnstapError => new DnstapError(DnstapErrorCode.CONTROL, `malformed control frame: ${why}`, offset);
  if (b.length < 4) throw bad(`${b.length} bytes, shorter than a control type`);
  if (b.length > CONTROL_FRAME_LENGTH_MAX) throw bad(`${b.length} bytes, longer than ${CONTROL_FRAME_LENGTH_MAX}`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const type = dv.getUint32(0);
  if (type < ControlType.ACCEPT || type > ControlType.FINISH) throw bad(`unknown control type ${type}`);
  const contentTypes: string[] = [];
  let p = 4;
  while (p < b.length) {
    if (p + 8 > b.length) throw bad("a field header is cut short");
    const ft = dv.getUint32(p);
    const fl = dv.getUint32(p + 4);
    p += 8;
    if (fl > b.length - p) throw bad(`a field claims ${fl} bytes, ${b.length - p} remain`);
    if (ft === FIELD_CONTENT_TYPE) {
      if (fl > CONTENT_TYPE_LENGTH_MAX) throw bad(`a content type of ${fl} bytes`);
      let s = "";
      for (let i = p; i < p + fl; i++) s += String.fromCharCode(b[i]!);
      contentTypes.push(s);
    }
    p += fl;
  }
  if ((type === ControlType.STOP || type === ControlType.FINISH) && contentTypes.length > 0)
    throw bad(`${controlName(type)} with a content type`);
  if (type === ControlType.START && contentTypes.length > 1) throw bad("START with more than one content type");
  return { type, contentTypes };
}

/** A whole control frame on the wire: escape, length, type, content-type fields. */
export function encodeControl(type: ControlType, contentTypes: readonly string[] = []): Uint8Array {
  let len = 4;
  for (const c of contentTypes) {
    if (c.length > CONTENT_TYPE_LENGTH_MAX) throw new RangeError(`content type longer than ${CONTENT_TYPE_LENGTH_MAX} bytes`);
    len += 8 + c.length;
  }
  if (len > CONTROL_FRAME_LENGTH_MAX) throw new RangeError(`control frame longer than ${CONTROL_FRAME_LENGTH_MAX} bytes`);
  const out = new Uint8Array(8 + len);
  const dv = new DataView(out.buffer);
  dv.setUint32(4, len);
  dv.setUint32(8, type);
  let p = 12;
  for (const c of contentTypes) {
    dv.setUint32(p, FIELD_CONTENT_TYPE);
    dv.setUint32(p + 4, c.length);
    p += 8;
    for (let i = 0; i < c.length; i++) {
      const ch = c.charCodeAt(i);
      if (ch > 0xff) throw new RangeError("content types are bytes: latin1 characters only");
      out[p++] = ch;
    }
  }
  return out;
}
