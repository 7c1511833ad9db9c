#!/usr/bin/env node
// mtbl-merge: its bundle or its modules (@dnsrep/cli's launch)
// (dist/bundle/launch.cjs, written with the bundle, requires it by its path: no package lookup)
let start;
try {
  start = require("../dist/bundle/launch.cjs");
} catch {
  start = require("@dnsrep/cli/launch");
}
start.launch(__dirname, "mtbl-merge");
