#!/usr/bin/env node
import { main } from "@dnsrep/cli";
import { run } from "../dist/mtbl-info.js";

main("mtbl-info", run);
