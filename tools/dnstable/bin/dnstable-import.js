#!/usr/bin/env node
import { main } from "@dnsrep/cli";
import { run } from "../dist/dnstable-import.js";

main("dnstable-import", run);
