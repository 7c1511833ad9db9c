import { createReadStream, realpathSync, type Stats, statSync } from "node:fs";
import { extname, join, sep } from "node:path";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { messageOf } from "../auth/errors.js";
import { UiError } from "./errors.js";

/** The page's client-side routes: each serves index.html, and the page reads its URL (a flex search's is /glob/… or /regex/…, its API path without /dnsdb/v2). */
export const CLIENT_ROUTES = ["/login", "/lookup", "/lookup/*", "/glob/*", "/regex/*", "/graph", "/dashboard"] as const;
/** Every route the static part answers (for the metrics' endpoint label). */
export const STATIC_ROUTES: ReadonlySet<string> = new Set(["/", "/index.html", "/assets/*", ...CLIENT_ROUTES]);

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".wasm": "application/wasm",
};

/** The content type of a file by its extension (unknown ones: application/octet-stream). */
export function contentTypeOf(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
}

/**
 * Serve the built page from `dir`: `/` and the client-side routes answer with index.html,
 * `/assets/*` with the files under `dir/assets`. A path with a `..` or dot-file segment, a NUL or a
 * backslash is a 404, and so is a file whose real path (symbolic links followed) is not
 * inside `dir`. Files are streamed with a weak ETag (size and mtime) and `Cache-Control: no-cache`
 * (the browser revalidates: a 304 when unchanged). Throws UiError ERR_STATIC when `dir` has no
 * index.html.
 */
export function staticRoutes(app: FastifyInstance, dir: string): void {
  let root: string;
  try {
    root = realpathSync(dir);
    if (!statSync(join(root, "index.html")).isFile()) throw new Error("index.html is not a file");
  } catch (e) {
    throw new UiError("ERR_STATIC", `${dir}: cannot serve the web UI from it: ${messageOf(e)}`);
  }
  const index = (_req: FastifyRequest, reply: FastifyReply): FastifyReply => sendFile(reply, _req, root, join(root, "index.html"));
  app.get("/", index);
  app.get("/index.html", index);
  for (const r of CLIENT_ROUTES) app.get(r, index);
  app.get("/assets/*", (req, reply) => {
    // the wildcard arrives percent-decoded (an encoded `/` is a `/` here): every segment is checked
    const parts = (req.params as { "*": string })["*"].split("/");
    if (parts.some((p) => p === "" || p.startsWith(".") || /[\0\\]/.test(p))) return notFound(reply);
    return sendFile(reply, req, root, join(root, "assets", ...parts));
  });
}

function notFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).type("text/plain; charset=utf-8").send("not found\n");
}

function sendFile(reply: FastifyReply, req: FastifyRequest, root: string, path: string): FastifyReply {
  let real: string;
  let st: Stats;
  try {
    real = realpathSync(path);
    st = statSync(real);
  } catch {
    return notFound(reply);
  }
  if (!st.isFile() || !real.startsWith(root + sep)) return notFound(reply);
  const etag = `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
  reply.header("etag", etag).header("cache-control", "no-cache");
  if (req.headers["if-none-match"] === etag) return reply.code(304).send();
  reply.type(contentTypeOf(real)).header("content-length", st.size);
  return reply.send(createReadStream(real));
}
