#!/usr/bin/env node
// mtbl-merge: its bundle or its modules (@dnsrep/cli's launch)
require("@dnsrep/cli/launch").launch(__dirname, "mtbl-merge");
