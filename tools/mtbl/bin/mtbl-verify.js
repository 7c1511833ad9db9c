#!/usr/bin/env node
import { main } from "@dnsrep/cli";
import { run } from "../dist/mtbl-verify.js";

main("mtbl-verify", run);
