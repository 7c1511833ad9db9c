#!/usr/bin/env node
import { main } from "@dnsrep/cli";
import { run } from "../dist/dnstable-lookup.js";

main("dnstable-lookup", run);
