export { run as nmsg_dns_filter } from "./nmsg-dns-filter.js";
