#!/usr/bin/env node
import { main } from "@dnsrep/cli";
import { run } from "../dist/dnstable-dump.js";

main("dnstable-dump", run);
