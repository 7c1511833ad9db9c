// @dnsrep/mtbl's install script: builds the optional libdeflate binding (native/zlib.c) through
// @dnsrep/util's node-gyp runner, which says why when it cannot (and never fails the install).
import { buildAddon } from "@dnsrep/util/native-build";

buildAddon("libdeflate binding for zlib blocks", "zlib blocks are compressed and read with node:zlib (same format, 2-3x slower)");
