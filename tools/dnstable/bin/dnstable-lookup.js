#!/usr/bin/env node
// dnstable-lookup: its bundle or its modules (@dnsrep/cli's launch)
require("@dnsrep/cli/launch").launch(__dirname, "dnstable-lookup");
