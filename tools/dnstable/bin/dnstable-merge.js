#!/usr/bin/env node
import { main } from "@dnsrep/cli";
import { run } from "../dist/dnstable-merge.js";

main("dnstable-merge", run);
