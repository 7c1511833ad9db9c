export type { Association, LogParser, Observation } from "./observation.js";
