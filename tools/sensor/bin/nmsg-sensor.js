#!/usr/bin/env node
import { main } from "@dnsrep/cli";
import { holdsNativeHandles, run } from "../dist/nmsg-sensor.js";

main("nmsg-sensor", run, { exitWhenDone: holdsNativeHandles });
