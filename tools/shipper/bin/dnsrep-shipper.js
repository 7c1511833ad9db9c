#!/usr/bin/env node
// dnsrep-shipper: its bundle or its modules (@dnsrep/cli's launch)
require("@dnsrep/cli/launch").launch(__dirname, "dnsrep-shipper");
