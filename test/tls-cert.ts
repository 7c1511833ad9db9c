/** A throwaway self-signed certificate for 127.0.0.1 (P-256, one day), made with openssl, for the HTTPS tests. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

/** Write key.pem and cert.pem into `dir`; throws with openssl's message when it fails. */
export function selfSignedCert(dir: string): { key: string; cert: string } {
  const key = join(dir, "key.pem");
  const cert = join(dir, "cert.pem");
  const g = spawnSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"],
      ...["-keyout", key, "-out", cert, "-days", "1"],
      ...["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
    ],
    { encoding: "utf8" },
  );
  if (g.status !== 0) throw new Error(`openssl req -x509 failed: ${g.stderr || g.error?.message}`);
  return { key, cert };
}
