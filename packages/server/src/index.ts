// @dnsrep/server: the public surface (filled in by the dnstable-server work)
export const SERVER_PACKAGE = "@dnsrep/server";
// the auth part (API keys, quotas, rate_limit): tools/server's `keys` command uses these
export type { AuthOptions, Burst, KeyLimits, KeyListing, KeyRecord, NewKeyLimits, Principal } from "./auth/index.js";
export { AuthError, AuthErrorCode, addKey, authPlugin, isAuthError, listKeys, parseKeyTime, revokeKey } from "./auth/index.js";
