#!/usr/bin/env node
// nmsg-tool: its bundle or its modules (@dnsrep/cli's launch)
require("@dnsrep/cli/launch").launch(__dirname, "nmsg-tool");
