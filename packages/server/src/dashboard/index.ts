// The dashboard (issue 28): aggregates kept as batches arrive, the DATA files' counted once, a JSON route.
export type { AggregateLimits, DashObservation, NewDomain, SourceContact } from "./aggregates.js";
export { Aggregates, addressText, registeredDomain } from "./aggregates.js";
export type { DashboardOptions } from "./dashboard.js";
export { Dashboard } from "./dashboard.js";
export type { AddressStamp, EnrichCountsState, StampOf } from "./enrich-counts.js";
export { EnrichCounts, UNKNOWN_COUNTRY } from "./enrich-counts.js";
export type { FileScan } from "./file-aggregates.js";
export { FILES_SOURCE, filesIdentity, scanFiles } from "./file-aggregates.js";
export { dashboardIngestHook } from "./ingest-hook.js";
export { decodeAggregates, encodeAggregates, loadAggregates, saveAggregates } from "./persist.js";
export { dashboardRoutes } from "./route.js";
export type { HeavyHitter, SpaceSavingState } from "./space-saving.js";
export { SpaceSaving } from "./space-saving.js";
export type { DashboardView, RangeName } from "./view.js";
export { dashboardView, RANGES } from "./view.js";
