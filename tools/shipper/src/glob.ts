/**
 * Glob expansion for the files the shipper tails: `*`, `?` and `[...]` in any path segment
 * (no `**`), matched against directory listings on every poll. Compressed files (rotated and
 * gzipped by logrotate) never match: the shipper reads plain text only.
 */
import { readdirSync, statSync } from "node:fs";
import { isAbsolute, join, resolve, sep } from "node:path";

/** Extensions of compressed files a rotation leaves behind: never tailed. */
const COMPRESSED = /\.(gz|tgz|bz2|xz|zst|lz4|lzma|lz|z|Z|zip|br|7z)$/;

export function isCompressedName(path: string): boolean {
  return COMPRESSED.test(path);
}

export function hasGlobChars(segment: string): boolean {
  return /[*?[]/.test(segment);
}

/** A segment pattern as a RegExp (`*` and `?` do not match `/`; a leading dot is matched only by a dot). */
export function segmentRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) re += "\\[";
      else {
        let body = pattern.slice(i + 1, end);
        if (body.startsWith("!")) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  const leadingDot = pattern.startsWith(".") ? "" : "(?!\\.)";
  return new RegExp(`^${leadingDot}${re}$`);
}

/**
 * The regular files a pattern names now, sorted (a plain path is returned as it is if it is a
 * regular file). Unreadable directories and vanished entries are skipped: a poll sees what it can.
 */
export function expandGlob(pattern: string, cwd = process.cwd()): string[] {
  const abs = isAbsolute(pattern) ? pattern : resolve(cwd, pattern);
  const parts = abs.split(sep).filter((s) => s !== "");
  let dirs: string[] = [sep];
  for (let i = 0; i < parts.length; i++) {
    const seg = parts[i] as string;
    const last = i === parts.length - 1;
    const next: string[] = [];
    for (const d of dirs) {
      if (!hasGlobChars(seg)) {
        next.push(join(d, seg));
        continue;
      }
      let names: string[];
      try {
        names = readdirSync(d);
      } catch {
        continue;
      }
      const re = segmentRegExp(seg);
      for (const n of names) if (re.test(n)) next.push(join(d, n));
    }
    dirs = last ? next : next.filter(isDirectory);
  }
  return dirs.filter((p) => !isCompressedName(p) && isRegularFile(p)).sort();
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isRegularFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
