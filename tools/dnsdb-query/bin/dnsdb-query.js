#!/usr/bin/env node
import { main } from "@dnsrep/cli";
import { run } from "../dist/dnsdb-query.js";

main("dnsdb-query", run);
