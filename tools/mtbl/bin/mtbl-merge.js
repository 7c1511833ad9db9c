#!/usr/bin/env node
import { main } from "@dnsrep/cli";
import { run } from "../dist/mtbl-merge.js";

main("mtbl-merge", run);
