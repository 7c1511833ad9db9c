#!/usr/bin/env node
import { main } from "@dnsrep/cli";
import { run } from "../dist/nmsg-tool.js";

main("nmsg-tool", run);
