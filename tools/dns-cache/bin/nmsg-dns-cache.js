#!/usr/bin/env node
import { main } from "@dnsrep/cli";
import { run } from "../dist/nmsg-dns-cache.js";

main("nmsg-dns-cache", run);
