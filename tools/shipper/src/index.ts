export type { RunConfig } from "./config.js";
export { run } from "./dnsrep-shipper.js";
export { Shipper, type ShipperInput, type ShipperOptions, type ShipperOutput } from "./shipper.js";
export type { ShipperStats } from "./stats.js";
