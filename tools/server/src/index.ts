export { isLoopback, parseListen, run as dnstable_server } from "./dnstable-server.js";
