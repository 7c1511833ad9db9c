// @dnsrep/server: the public surface (filled in by the dnstable-server work)
export const SERVER_PACKAGE = "@dnsrep/server";
