/**
 * @dnsrep/web: the dnstable-server web UI, built by esbuild into static files (`www/index.html`
 * and `www/assets/`). The server serves `webRoot` as its UI folder.
 */
import { fileURLToPath } from "node:url";

/** Absolute path of the built static folder (holds `index.html` and `assets/`). */
export const webRoot: string = fileURLToPath(new URL("../www/", import.meta.url));
