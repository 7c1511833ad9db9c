/**
 * The server's API as the page uses it: the session routes under /ui/api (login, session, logout
 * with the CSRF token) and the DNSDB API v2 lookups streamed as SAF lines with the session cookie.
 * Every failure becomes an ApiError with a message a person can read.
 */

export interface Session {
  user: string;
  csrf: string;
}

/** One result object of a SAF stream (the fields dnstable-lookup -j prints; flex results have fewer). */
export interface Result {
  count?: number;
  time_first?: number;
  time_last?: number;
  zone_time_first?: number;
  zone_time_last?: number;
  rrname?: string;
  rrtype?: string;
  bailiwick?: string;
  rdata?: string | string[];
  raw_rdata?: string;
  num_results?: number;
  /** enrichment (`?enrich=1`, issue 28): the network owner and country of A/AAAA rdata when ingested */
  asn?: number | string | (number | string | null)[];
  as_org?: string | (string | null)[];
  country?: string | (string | null)[];
}

export interface Terminator {
  cond: "succeeded" | "limited" | "failed" | "truncated";
  msg?: string;
}

export class ApiError extends Error {
  override name = "ApiError";
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}

async function bodyText(res: Response): Promise<string> {
  const text = (await res.text().catch(() => "")).trim();
  try {
    const j = JSON.parse(text) as { error?: unknown };
    if (typeof j.error === "string") return j.error;
  } catch {
    // plain text
  }
  return text.split("\n")[0]?.slice(0, 300) ?? "";
}

/** The readable message for a failed response. */
export async function errorOf(res: Response): Promise<ApiError> {
  const detail = await bodyText(res);
  const retry = res.headers.get("Retry-After");
  let msg: string;
  switch (res.status) {
    case 400:
      msg = `Bad query: ${detail || "the server did not accept it"}`;
      break;
    case 401:
      msg = "Not logged in, or the session has expired: please log in again.";
      break;
    case 403:
      msg = `Not allowed: ${detail || "this account may not do that"}`;
      break;
    case 404:
      msg = "No such search on this server.";
      break;
    case 416:
      msg = `Offset beyond what this account may page to${detail ? `: ${detail}` : ""}`;
      break;
    case 429:
      msg = `Quota exhausted: ${detail || "too many queries"}${retry ? ` (try again in ${retry} s)` : ""}`;
      break;
    case 503:
      msg = `The server is busy: ${detail || "too many queries at once"}${retry ? ` (try again in ${retry} s)` : ""}`;
      break;
    default:
      msg = `The server answered ${res.status}${detail ? `: ${detail}` : ""}`;
  }
  return new ApiError(msg, res.status);
}

const GONE = "The server cannot be reached: it may be down or restarting.";

async function call(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { credentials: "same-origin", ...init });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(GONE, 0);
  }
}

export async function getSession(): Promise<Session | null> {
  const res = await call("/ui/api/session", { headers: { Accept: "application/json" } });
  if (res.status === 401) return null;
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as Session;
}

export async function login(username: string, password: string): Promise<Session> {
  const res = await call("/ui/api/login", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (res.status === 401) throw new ApiError(await bodyText(res) || "wrong user name or password", 401);
  if (res.status === 429) {
    const retry = res.headers.get("Retry-After");
    const msg = (await bodyText(res)) || "too many wrong passwords";
    throw new ApiError(`${msg}${retry && !/retry/i.test(msg) ? ` (try again in ${retry} s)` : ""}`, 429);
  }
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as Session;
}

export async function logout(csrf: string): Promise<void> {
  const res = await call("/ui/api/logout", { method: "POST", headers: { "X-CSRF-Token": csrf } });
  if (!res.ok && res.status !== 401) throw await errorOf(res);
}

export interface LookupHandlers {
  /** the response's status line arrived (before any result) */
  onResponse?: () => void;
  /** a batch of results parsed from one network chunk */
  onResults: (batch: Result[]) => void;
}

/**
 * Runs a lookup (`path` without /dnsdb/v2) and streams its results in batches. Resolves with the
 * terminator; a stream that ends without one resolves `{cond: "truncated"}` (never mistaken for
 * a complete answer).
 */
export async function lookup(path: string, h: LookupHandlers, signal?: AbortSignal): Promise<Terminator> {
  const init: RequestInit = { headers: { Accept: "application/x-ndjson" } };
  if (signal) init.signal = signal;
  const res = await call(`/dnsdb/v2${path}`, init);
  if (!res.ok) throw await errorOf(res);
  h.onResponse?.();
  if (!res.body) throw new ApiError("The server sent no body.", res.status);
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = "";
  let term: Terminator | null = null;
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>;
    try {
      chunk = await reader.read();
    } catch (e) {
      if ((e as Error).name === "AbortError") throw e;
      return { cond: "truncated", msg: "the connection broke before the answer was complete" };
    }
    if (chunk.done) break;
    buf += dec.decode(chunk.value, { stream: true });
    const lines = buf.split("\n");
    buf = lines.pop() ?? "";
    const batch: Result[] = [];
    for (const line of lines) {
      if (line === "") continue;
      let j: { obj?: Result; cond?: string; msg?: string };
      try {
        j = JSON.parse(line);
      } catch {
        return { cond: "failed", msg: "the server sent a line that is not JSON" };
      }
      if (j.obj) batch.push(j.obj);
      else if (j.cond && j.cond !== "begin" && j.cond !== "ongoing") term = j.msg === undefined ? { cond: j.cond as Terminator["cond"] } : { cond: j.cond as Terminator["cond"], msg: j.msg };
    }
    if (batch.length) h.onResults(batch);
  }
  return term ?? { cond: "truncated", msg: "the answer ended without its terminator line" };
}

export type DashboardRange = "24h" | "7d" | "30d";

/** GET /ui/api/dashboard's answer (packages/server/src/dashboard/view.ts, docs/web-ui.md). */
export interface Dashboard {
  range: DashboardRange;
  start: number;
  end: number;
  step: number;
  series: { buckets: number[]; sources: { source: string; observations: number[]; newNames: number[]; count: number[] }[] };
  newDomains: { domain: string; first: number; source: string }[];
  rrtypes: { rrtype: string; observations: number; count: number }[];
  topNames: { name: string; count: number; error: number }[];
  topAddresses: { address: string; count: number; error: number }[];
  /** null: the server has no enrichment (`enrichNote` says how to turn it on) */
  topAsns: { asn: number; as_org: string; count: number; error: number }[] | null;
  topCountries: { country: string; count: number }[] | null;
  breakdown: { country: string; asn: number | null; as_org: string; count: number; error: number }[] | null;
  enrichment: { since: number | null; addresses: number; withoutAsn: number } | null;
  enrichNote: string;
  ingest: {
    now: number;
    lagSeconds: number | null;
    silentAfterSeconds: number;
    sources: { source: string; lastContact: number | null; observations: number; newest: number | null; silent: boolean }[];
  };
  files: { state: "none" | "ready" | "computing" | "failed"; files: number; rrsets: number; partial: boolean; message?: string };
  observations: number;
}

export async function getDashboard(range: DashboardRange, signal?: AbortSignal): Promise<Dashboard> {
  const init: RequestInit = { headers: { Accept: "application/json" } };
  if (signal) init.signal = signal;
  const res = await call(`/ui/api/dashboard?range=${range}`, init);
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as Dashboard;
}
