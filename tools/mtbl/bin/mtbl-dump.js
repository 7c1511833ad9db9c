#!/usr/bin/env node
import { main } from "@dnsrep/cli";
import { run } from "../dist/mtbl-dump.js";

main("mtbl-dump", run);
