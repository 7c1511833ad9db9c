export { run as nmsg_dns_cache } from "./nmsg-dns-cache.js";
