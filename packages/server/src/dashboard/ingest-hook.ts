import { SENSOR_PART } from "../ingest/live-stores.js";
import type { IngestObservation } from "../ingest/observation.js";
import type { Dashboard } from "./dashboard.js";
import type { StampOf } from "./enrich-counts.js";

/**
 * The ingest hook (IngestStores' `onObservations`): each applied batch's observations counted
 * by the dashboard under their source ("sensor" for sensor data). Called once per applied batch,
 * only for the parts the stores took, so a refused part or a duplicate batch is not counted.
 * With `stampOf` (the server's enrichment), each A/AAAA address is counted by ASN and country too.
 */
export function dashboardIngestHook(
  dash: Dashboard,
  log: (line: string) => void,
  stampOf?: StampOf,
): (applied: readonly IngestObservation[]) => void {
  if (stampOf !== undefined) dash.useEnrichment(stampOf);
  let told = false;
  return (applied) => {
    // the data is stored already: a dashboard failure must not turn the batch into an error
    try {
      dash.observe(applied.map((o) => ({ obs: o, source: o.source ?? SENSOR_PART })));
    } catch (e) {
      if (!told) log(`dashboard: cannot count a batch: ${(e as Error).message}`);
      told = true;
    }
  };
}
