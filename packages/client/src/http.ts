import { type ClientRequest, request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { ClientError, ClientErrorCode, statusError } from "./errors.js";
import { parseRetryAfter } from "./retry-after.js";

/** Time limits of one HTTP exchange (ms), and the TLS settings of an https server. */
export interface Timeouts {
  /** from sending the request to the response headers (connecting included) */
  connectMs: number;
  /** the longest wait for the next piece of the body */
  idleMs: number;
  tls?: TlsOptions;
}

/** How an https server's certificate is checked. */
export interface TlsOptions {
  /** trusted CA certificates (PEM) instead of Node's bundle (NODE_EXTRA_CA_CERTS adds to that) */
  ca?: string | Buffer | (string | Buffer)[];
  /** false: accept any certificate (dnsdbq's -U; unsafe) */
  rejectUnauthorized?: boolean;
}

/** An HTTP response being read: its status and headers, its body as chunks, and how to let it go. */
export interface Exchange {
  readonly status: number;
  readonly headers: Headers;
  /** the body, each chunk within the idle timeout; ending the iteration early aborts the request */
  chunks(): AsyncGenerator<Uint8Array, void, undefined>;
  /** abort the request (closing its connection) unless the body was read to its end */
  close(): void;
}

/** The first error that explains a failed fetch or read: our timeout, the caller's abort, a cut, a refused connection. */
function explain(e: unknown, timeout: ClientError | null, signal: AbortSignal | undefined, reading: boolean): ClientError {
  if (timeout !== null) return timeout;
  if (signal?.aborted) return new ClientError(ClientErrorCode.ABORTED, "aborted by the caller", { cause: signal.reason });
  if (e instanceof ClientError) return e;
  const cause = (e as { cause?: { code?: string; message?: string } } | null)?.cause;
  const detail = cause?.message ?? (e as Error | null)?.message ?? String(e);
  if (reading) return new ClientError(ClientErrorCode.TRUNCATED, `response cut short: ${detail}`, { cause: e });
  return new ClientError(ClientErrorCode.NETWORK, `cannot reach the server: ${detail}`, { cause: e });
}

/** A request target split without normalising its path (WHATWG URLs would drop a `.` segment: the root name). */
function splitUrl(url: string): { origin: URL; path: string } {
  const m = /^(https?:\/\/[^/?#]+)(\/[^#]*)?$/.exec(url);
  if (!m) throw new TypeError(`not an http(s) URL: ${url}`);
  return { origin: new URL(m[1] as string), path: m[2] ?? "/" };
}

/** The headers of a response as a Headers object. */
function headersOf(res: IncomingMessage): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(res.headers)) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) h.append(k, x);
  }
  return h;
}

/**
 * Send a GET and wait for the response headers, under the connect timeout and the caller's signal.
 * The path goes out as given (node:http, not fetch: fetch's URL parsing removes `.` and `..`
 * segments, so a lookup of the root name `.` would silently ask for something else).
 * Throws ClientError ERR_NETWORK, ERR_TIMEOUT or ERR_ABORTED.
 */
export async function open(url: string, headers: Record<string, string>, t: Timeouts, signal?: AbortSignal): Promise<Exchange> {
  if (signal?.aborted) throw new ClientError(ClientErrorCode.ABORTED, "aborted by the caller", { cause: signal.reason });
  const { origin, path } = splitUrl(url);
  let timeout: ClientError | null = null;
  let timer: NodeJS.Timeout | undefined;
  let req: ClientRequest | null = null;
  let res: IncomingMessage | null = null;
  let finished = false;
  const hangUp = (reason: Error): void => {
    res?.destroy(reason);
    req?.destroy(reason);
  };
  const arm = (ms: number, what: string): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timeout = new ClientError(ClientErrorCode.TIMEOUT, `${what} within ${ms} ms`);
      hangUp(timeout);
    }, ms);
  };
  const onAbort = (): void => hangUp(new ClientError(ClientErrorCode.ABORTED, "aborted by the caller"));
  signal?.addEventListener("abort", onAbort, { once: true });
  const release = (): void => {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  };
  const close = (): void => {
    release();
    if (!finished) {
      finished = true;
      hangUp(new ClientError(ClientErrorCode.ABORTED, "closed by the client"));
    }
  };
  arm(t.connectMs, "no response");
  try {
    res = await new Promise<IncomingMessage>((resolve, reject) => {
      const send = origin.protocol === "https:" ? httpsRequest : httpRequest;
      req = send({
        protocol: origin.protocol,
        hostname: origin.hostname.replace(/^\[|\]$/g, ""),
        port: origin.port === "" ? undefined : Number(origin.port),
        path,
        method: "GET",
        ...(origin.protocol === "https:" && t.tls?.ca !== undefined ? { ca: t.tls.ca } : {}),
        ...(origin.protocol === "https:" && t.tls?.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
        headers:
          origin.username === ""
            ? headers
            : {
                ...headers,
                authorization: `Basic ${Buffer.from(`${decodeURIComponent(origin.username)}:${decodeURIComponent(origin.password)}`).toString("base64")}`,
              },
      });
      req.once("response", resolve);
      req.once("error", reject);
      req.end();
    });
  } catch (e) {
    release();
    finished = true;
    throw explain(e, timeout, signal, false);
  }
  clearTimeout(timer);
  const body = res;
  // an error after the headers surfaces through the iteration below
  body.on("error", () => {});
  return {
    status: body.statusCode ?? 0,
    headers: headersOf(body),
    close,
    async *chunks() {
      const it = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      try {
        for (;;) {
          arm(t.idleMs, "no data");
          let r: IteratorResult<Buffer>;
          try {
            r = await it.next();
          } catch (e) {
            throw explain(e, timeout, signal, true);
          }
          clearTimeout(timer);
          if (r.done) {
            // a body cut short of its declared length or last chunk ends the iteration without an error
            if (!body.complete) throw explain(new Error("the connection closed before the response ended"), timeout, signal, true);
            finished = true;
            return;
          }
          yield new Uint8Array(r.value.buffer, r.value.byteOffset, r.value.byteLength);
        }
      } finally {
        close();
      }
    },
  };
}

/** Read an error response's body (at most 4 KiB) and close it; a body that cannot be read is an empty message. */
export async function errorOf(ex: Exchange): Promise<ClientError> {
  let text = "";
  try {
    const dec = new TextDecoder();
    for await (const c of ex.chunks()) {
      text += dec.decode(c, { stream: true });
      if (text.length >= 4096) break;
    }
  } catch (e) {
    if (e instanceof ClientError && e.code === ClientErrorCode.ABORTED) throw e;
  } finally {
    ex.close();
  }
  return statusError(ex.status, text, parseRetryAfter(ex.headers.get("retry-after")));
}

/** Wait `ms`, or throw ERR_ABORTED when the signal fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ClientError(ClientErrorCode.ABORTED, "aborted by the caller", { cause: signal.reason }));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new ClientError(ClientErrorCode.ABORTED, "aborted by the caller", { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
