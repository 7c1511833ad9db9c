// dnstable-server's commands (filled in by the dnstable-server work)
export const SERVER_TOOL = "dnstable-server";
