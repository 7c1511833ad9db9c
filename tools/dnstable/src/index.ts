export { run as dnstable_dump } from "./dnstable-dump.js";
export { run as dnstable_import } from "./dnstable-import.js";
export { run as dnstable_lookup } from "./dnstable-lookup.js";
export { run as dnstable_merge } from "./dnstable-merge.js";
