#!/usr/bin/env node
// nmsg-sensor: its bundle or its modules (@dnsrep/cli's launch); a live capture's libpcap handle may
// hold the event loop once the run has finished, so main() exits then
// (dist/bundle/launch.cjs, written with the bundle, requires it by its path: no package lookup)
let start;
try {
  start = require("../dist/bundle/launch.cjs");
} catch {
  start = require("@dnsrep/cli/launch");
}
start.launch(__dirname, "nmsg-sensor", (m) => ({ exitWhenDone: m.holdsNativeHandles }));
