export { run as nmsgTool } from "./nmsg-tool.js";
