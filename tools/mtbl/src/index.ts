export { run as mtblDump } from "./mtbl-dump.js";
export { run as mtblInfo } from "./mtbl-info.js";
export { run as mtblMerge, resolveMerge } from "./mtbl-merge.js";
export { run as mtblVerify } from "./mtbl-verify.js";
