export { run as mtbl_dump } from "./mtbl-dump.js";
export { run as mtbl_info } from "./mtbl-info.js";
export { run as mtbl_merge } from "./mtbl-merge.js";
export { run as mtbl_verify } from "./mtbl-verify.js";
