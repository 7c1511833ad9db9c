#!/usr/bin/env node
import { main } from "@dnsrep/cli";
import { run } from "../dist/dnsrep-shipper.js";

main("dnsrep-shipper", run);
