export { isEnrichError } from "@dnsrep/enrich";
export type { AccessRecord } from "./access-log.js";
export { accessLine } from "./access-log.js";
// the auth part (API keys, quotas, rate_limit): tools/server's `keys` command uses these
export type {
  AuthOptions,
  Burst,
  KeyLimits,
  KeyListing,
  KeyRecord,
  KeyRole,
  NewKeyLimits,
  Principal,
  SessionResolver,
} from "./auth/index.js";
export { AuthError, AuthErrorCode, addKey, authPlugin, isAuthError, listKeys, parseKeyTime, revokeKey } from "./auth/index.js";
export type { DataOptions } from "./data.js";
export { DataStore, isMtblFile } from "./data.js";
export type { EnrichOptions } from "./enrich/hook.js";
export { isServerError, ServerError, ServerErrorCode } from "./errors.js";
export type { IngestErrorCode } from "./ingest/errors.js";
export { IngestError, isIngestError } from "./ingest/errors.js";
export type { NmsgListener, NmsgListenSpec } from "./ingest/nmsg-listener.js";
export { dedupeObservation, parseNmsgListen } from "./ingest/nmsg-listener.js";
export type { IngestObservation } from "./ingest/observation.js";
export { parseNdjsonBatch } from "./ingest/observation-json.js";
export type { OpenStore, StoreLike } from "./ingest/store-like.js";
export type { Endpoint } from "./metrics.js";
export { ENDPOINTS, ServerMetrics } from "./metrics.js";
export type { QueryParams } from "./params.js";
export { effectiveLimit, parseQueryParams } from "./params.js";
export type { LookupPath, LookupQuery } from "./query.js";
export { parseLookupPath } from "./query.js";
export { jsonString, resultLine, rfc3339 } from "./result-line.js";
export type { TypeSelect } from "./rrtypes.js";
export { DNSSEC_TYPES, parseTypeSelect, typeSelected } from "./rrtypes.js";
export type { StreamStats } from "./saf.js";
export { SAF_BEGIN, SAF_LIMITED, SAF_SUCCEEDED } from "./saf.js";
export type { DnstableServer, LiveStoreOptions, ServerOptions } from "./server.js";
export { createServer } from "./server.js";
export { SESSION_COOKIE } from "./ui/cookies.js";
export { isUiError, UiError, UiErrorCode } from "./ui/errors.js";
// the web UI's server side: users file administration (tools/server's `users` command), options
export type { UiOptions } from "./ui/index.js";
export { DEFAULT_SESSION_TTL } from "./ui/index.js";
export type { PasswordHash, ScryptParams } from "./ui/password.js";
export { DEFAULT_SCRYPT, hashPassword, verifyPassword } from "./ui/password.js";
export { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from "./ui/security-headers.js";
export { userQuotaName } from "./ui/user-store.js";
export type { HashOptions, UserListing } from "./ui/users-admin.js";
export { addUser, checkPassword, listUsers, MAX_PASSWORD, MIN_PASSWORD, removeUser, setUserPassword } from "./ui/users-admin.js";
export type { UserLimits, UserRecord } from "./ui/users-file.js";
export { checkUserName, parseUsersFile, readUsersFile } from "./ui/users-file.js";
