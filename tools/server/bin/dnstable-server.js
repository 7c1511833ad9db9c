#!/usr/bin/env node
import { main } from "@dnsrep/cli";
import { run } from "../dist/dnstable-server.js";

main("dnstable-server", run);
