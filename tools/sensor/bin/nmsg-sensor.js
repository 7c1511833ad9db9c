#!/usr/bin/env node
// nmsg-sensor: its bundle or its modules (@dnsrep/cli's launch); a live capture's libpcap handle may
// hold the event loop once the run has finished, so main() exits then
require("@dnsrep/cli/launch").launch(__dirname, "nmsg-sensor", (m) => ({ exitWhenDone: m.holdsNativeHandles }));
