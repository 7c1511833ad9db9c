#!/usr/bin/env node
// mtbl-verify: its bundle or its modules (@dnsrep/cli's launch)
require("@dnsrep/cli/launch").launch(__dirname, "mtbl-verify");
