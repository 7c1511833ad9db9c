export { run as mtblDump } from "./mtbl-dump.js";
export { run as mtblInfo } from "./mtbl-info.js";
export { resolveMerge, run as mtblMerge } from "./mtbl-merge.js";
export { run as mtblVerify } from "./mtbl-verify.js";
export { openReader } from "./open-reader.js";
export { addCodecOptions, type CodecFlags, parseBlockSize, parseCodecFlags } from "./writer-flags.js";
