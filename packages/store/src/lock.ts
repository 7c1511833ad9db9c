/**
 * One open store per directory: a `LOCK` file created exclusively, holding the owner's process
 * id. A lock left by a process that no longer exists (killed) is taken over. (`name`: another
 * lock file, for another owner of the directory — @dnsrep/enrich's stamp log.)
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { fromSystemError, StoreError, StoreErrorCode } from "./errors.js";

const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function acquireLock(dir: string, name = "LOCK"): void {
  const path = join(dir, name);
  if (held.has(path)) throw new StoreError(StoreErrorCode.LOCKED, `${dir}: already open in this process`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      held.add(path);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw fromSystemError(e, `cannot lock ${dir}`);
    }
    let pid = Number.NaN;
    try {
      pid = Number.parseInt(readFileSync(path, "latin1"), 10);
    } catch {}
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw new StoreError(StoreErrorCode.LOCKED, `${dir}: in use by process ${pid}`);
    }
    // stale (its process is gone, or it is unreadable): take it over
    rmSync(path, { force: true });
  }
  throw new StoreError(StoreErrorCode.LOCKED, `${dir}: cannot take the lock`);
}

export function releaseLock(dir: string, name = "LOCK"): void {
  const path = join(dir, name);
  if (!held.delete(path)) return;
  rmSync(path, { force: true });
}
