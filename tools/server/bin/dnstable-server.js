#!/usr/bin/env node
// dnstable-server: its bundle or its modules (@dnsrep/cli's launch)
require("@dnsrep/cli/launch").launch(__dirname, "dnstable-server");
