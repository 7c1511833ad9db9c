#!/usr/bin/env node
import { main } from "@dnsrep/cli";
import { run } from "../dist/nmsg-dns-filter.js";

main("nmsg-dns-filter", run);
