export type { NmsgInputFlags, PayloadHandler } from "./nmsg-input.js";
export {
  abortable,
  addNmsgInputOptions,
  crcDropped,
  hasNmsgInput,
  nmsgSourceBatches,
  readNmsgInputs,
  THREADED_READ_MIN,
} from "./nmsg-input.js";
export type { NmsgOutputFlags, NmsgOutputs } from "./nmsg-output.js";
export { addNmsgOutputOptions, headerStamp, openNmsgOutputs, PendingWrites, parseAddrPort, parseU32Option } from "./nmsg-output.js";
