#!/usr/bin/env node
import { main } from "@dnsrep/cli";
import { run } from "../dist/nmsg-sensor.js";

main("nmsg-sensor", run);
