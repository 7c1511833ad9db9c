export { run as nmsg_sensor } from "./nmsg-sensor.js";
