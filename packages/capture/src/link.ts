/** Link-layer headers: where the IP datagram starts in a captured frame. */

/** Link types (LINKTYPE_* values as stored in capture files; DLT_RAW's platform aliases included). */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  RAW_BSD: 12,
  RAW_OPENBSD: 14,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

const ETH_IP = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_VLAN = 0x8100;
const ETH_QINQ = 0x88a8;
const ETH_QINQ_OLD = 0x9100;

/** Where linkOffset puts the IP version the link header announced (4 or 6). */
export interface LinkOut {
  ipVersion: number;
}

/**
 * Offset of the IP header in `data[off, off+len)` for link type `lt`, or -1 when the frame is not
 * IPv4/IPv6 (ARP, other protocols) or too short. Sets `out.ipVersion`.
 */
export function linkOffset(lt: number, data: Uint8Array, off: number, len: number, out: LinkOut): number {
  out.ipVersion = 0;
  let p: number;
  let etype: number;
  switch (lt) {
    case LinkType.ETHERNET: {
      if (len < 14) return -1;
      p = off + 14;
      etype = (data[off + 12]! << 8) | data[off + 13]!;
      // 802.1Q / 802.1ad tags, possibly stacked
      while ((etype === ETH_VLAN || etype === ETH_QINQ || etype === ETH_QINQ_OLD) && p + 4 <= off + len) {
        etype = (data[p + 2]! << 8) | data[p + 3]!;
        p += 4;
      }
      break;
    }
    case LinkType.LINUX_SLL:
      if (len < 16) return -1;
      p = off + 16;
      etype = (data[off + 14]! << 8) | data[off + 15]!;
      break;
    case LinkType.LINUX_SLL2:
      if (len < 20) return -1;
      p = off + 20;
      etype = (data[off]! << 8) | data[off + 1]!;
      break;
    case LinkType.NULL:
    case LinkType.LOOP: {
      if (len < 4) return -1;
      p = off + 4;
      // DLT_NULL stores the address family in the capturing host's byte order, DLT_LOOP in network order
      const be = (data[off]! << 24) | (data[off + 1]! << 16) | (data[off + 2]! << 8) | data[off + 3]!;
      const le = (data[off + 3]! << 24) | (data[off + 2]! << 16) | (data[off + 1]! << 8) | data[off]!;
      const fam = lt === LinkType.LOOP ? be : be >>> 0 < 0x10000 ? be : le;
      if (fam === 2) etype = ETH_IP;
      else if (fam === 24 || fam === 28 || fam === 30 || fam === 10) etype = ETH_IPV6;
      else return -1;
      break;
    }
    case LinkType.RAW:
    case LinkType.RAW_BSD:
    case LinkType.RAW_OPENBSD:
    case LinkType.IPV4:
    case LinkType.IPV6:
      if (len < 1) return -1;
      p = off;
      etype = data[off]! >> 4 === 6 ? ETH_IPV6 : ETH_IP;
      break;
    default:
      return -1;
  }
  if (p >= off + len) return -1;
  if (etype === ETH_IP) out.ipVersion = 4;
  else if (etype === ETH_IPV6) out.ipVersion = 6;
  else return -1;
  return p;
}

/** Whether this library can decode link type `lt`. */
export function isSupportedLinkType(lt: number): boolean {
  return (Object.values(LinkType) as number[]).includes(lt);
}
