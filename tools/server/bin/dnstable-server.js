#!/usr/bin/env node
console.error("dnstable-server: not built yet");
process.exit(1);
