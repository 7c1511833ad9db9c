import { epochTime, isoTime } from "./time.js";

/** Helpers for reading untrusted JSON log lines without trusting their shape. */

export type JsonObject = { [key: string]: unknown };

/** The object a line holds, or null when it is not JSON or not an object. */
export function parseJsonObject(text: string): JsonObject | null {
  const t = text.trim();
  if (t.length < 2 || t.charCodeAt(0) !== 0x7b /* { */) return null;
  try {
    const v: unknown = JSON.parse(t);
    return isObject(v) ? v : null;
  } catch {
    return null;
  }
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A string member, or undefined. */
export function str(o: JsonObject, key: string): string | undefined {
  const v = o[key];
  return typeof v === "string" ? v : undefined;
}

/** A finite number member, or undefined. */
export function num(o: JsonObject, key: string): number | undefined {
  const v = o[key];
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** A time member: epoch seconds (a number, or digits) or ISO 8601 / RFC 3339 text; null otherwise. */
export function parseTimeValue(v: unknown): number | null {
  if (typeof v === "number") return Number.isFinite(v) && v >= 0 ? v : null;
  if (typeof v !== "string") return null;
  return epochTime(v) ?? isoTime(v);
}
