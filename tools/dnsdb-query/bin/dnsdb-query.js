#!/usr/bin/env node
// dnsdb-query: its bundle or its modules (@dnsrep/cli's launch)
require("@dnsrep/cli/launch").launch(__dirname, "dnsdb-query");
