import { spawnSync } from "node:child_process";
import { join } from "node:path";

export const haveMmdblookup = spawnSync("sh", ["-c", "command -v mmdblookup"]).status === 0;
if (!haveMmdblookup && process.env.CI) throw new Error("mmdblookup (Debian mmdb-bin) is required on CI");

/** What Debian's mmdblookup prints for one path of one address: the string or number, or null when absent. */
export function mmdblookup(file: string, ip: string, path: string[]): string | number | null {
  const r = spawnSync("mmdblookup", ["--file", file, "--ip", ip, ...path], { encoding: "utf8", timeout: 10_000 });
  const m = /^\s*(?:"((?:[^"\\]|\\.)*)" <utf8_string>|(\d+) <uint\d+>)\s*$/m.exec(r.stdout);
  if (m === null) return null;
  return m[1] !== undefined ? m[1] : Number(m[2]);
}

/** The test fixtures' folder (country-vN.mmdb, asn-vN.mmdb). */
export const FIXTURES = join(import.meta.dirname, "fixtures");

/** What mmdblookup says the stamp of `ip` is in version `v` of the fixture databases (null: absent). */
export function fixtureStamp(
  v: number,
  ip: string,
): { asn: string | number | null; as_org: string | number | null; country: string | number | null } {
  return {
    asn: mmdblookup(join(FIXTURES, `asn-v${v}.mmdb`), ip, ["autonomous_system_number"]),
    as_org: mmdblookup(join(FIXTURES, `asn-v${v}.mmdb`), ip, ["autonomous_system_organization"]),
    country: mmdblookup(join(FIXTURES, `country-v${v}.mmdb`), ip, ["country", "iso_code"]),
  };
}
