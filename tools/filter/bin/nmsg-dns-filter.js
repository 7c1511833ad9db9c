#!/usr/bin/env node
// nmsg-dns-filter: its bundle or its modules (@dnsrep/cli's launch)
require("@dnsrep/cli/launch").launch(__dirname, "nmsg-dns-filter");
