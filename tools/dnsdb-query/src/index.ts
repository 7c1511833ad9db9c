export { type Config, loadConfig, parseConfigText } from "./config.js";
export { run, VERSION } from "./dnsdb-query.js";
export { type Options, parseOptions, USAGE } from "./options.js";
export { CSV_HEADER, csvRows, dnsText, loadDnsText, type Presentation, rateText, summaryText, timeStr } from "./present.js";
export { collatableName, collatableRdata, type SortKey, sortKeys, sortRecords } from "./sort.js";
