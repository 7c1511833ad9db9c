// @dnsrep/nmsg's install script: builds the optional system-zlib binding (native/zdeflate.c) through
// @dnsrep/util's node-gyp runner, which says why when it cannot (and never fails the install).
import { buildAddon } from "@dnsrep/util/native-build";

buildAddon("system zlib binding for zlib containers", "zlib containers are deflated by pako (the same bytes, about half the speed)");
