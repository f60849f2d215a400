/*
 * The capture engine's decoder: the common frames of src/packet/layers (Ethernet with VLAN
 * tags or raw IP; IPv4 without fragmentation; IPv6 without extension headers; TCP, UDP outside
 * the tunnel ports, ICMP, ICMPv6 with whole headers) and the flow key of src/flow/key.ts.
 * Anything else is left to the JavaScript decoder (FRAME_JS). Included by engine.cc only.
 */
#pragma once

#include <algorithm>

#include "features.h"

namespace sentra_flow {

// ---- key.ts ------------------------------------------------------------------------------------

inline uint32_t mix(uint32_t h) {
  h = (h ^ (h >> 16)) * 0x85ebca6bu;
  h = (h ^ (h >> 13)) * 0xc2b2ae35u;
  return h ^ (h >> 16);
}

inline uint32_t endpointHash(const uint32_t *k, int at, int words, uint32_t port) {
  uint32_t h = mix(k[at] ^ (port * 0x9e3779b1u));
  if (words == 4) {
    h = mix(h ^ k[at + 1]);
    h = mix(h ^ k[at + 2]);
    h = mix(h ^ k[at + 3]);
  }
  return h;
}

/** K_META, K_VLAN, K_PORTS and the addresses are set: the symmetric hash. */
inline void hashKey(uint32_t *k) {
  const int words = static_cast<int>((k[K_META] >> 16) & 0xff);
  const uint32_t ports = k[K_PORTS];
  const uint32_t hs = endpointHash(k, K_SRC, words, ports >> 16);
  const uint32_t hd = endpointHash(k, K_DST, words, ports & 0xffff);
  k[K_HASH] = mix((hs < hd ? hs ^ mix(hd) : hd ^ mix(hs)) ^ k[K_META] ^ (k[K_VLAN] << 20));
}

inline uint32_t be16(const uint8_t *b) { return (static_cast<uint32_t>(b[0]) << 8) | b[1]; }
inline uint32_t be32(const uint8_t *b) {
  return (static_cast<uint32_t>(b[0]) << 24) | (static_cast<uint32_t>(b[1]) << 16) | (static_cast<uint32_t>(b[2]) << 8) |
         b[3];
}


/**
 * The transport layer at `l4` of an IP packet (`end`: captured end, `l4Len`: bytes on the
 * wire from l4): fills the ports and the facts; false to hand the record to JavaScript.
 */
inline bool transport(const uint8_t *b, int64_t end, int64_t l4, int64_t l4Len, uint32_t proto, bool v6, Facts &f,
                      uint32_t &ports) {
  const int64_t a = end - l4;
  if (proto == 6) {
    if (a < 20) return false;
    const int64_t hl = (b[l4 + 12] >> 4) << 2;
    if (hl < 20 || hl > a || hl > l4Len) return false;
    ports = (be16(b + l4) << 16) | be16(b + l4 + 2);
    f.flags = ((b[l4 + 12] & 0x0fu) << 8) | b[l4 + 13];
    f.window = be16(b + l4 + 14);
    f.header = static_cast<double>(hl);
    f.payload = static_cast<double>(l4Len - hl);
    return true;
  }
  if (proto == 17) {
    if (a < 8) return false;
    const uint32_t sp = be16(b + l4), dp = be16(b + l4 + 2), len = be16(b + l4 + 4);
    if (len < 8) return false;
    // tunnels (VXLAN, GTP-U, Geneve, Teredo) continue into the packet they carry: JavaScript
    if (sp == 4789 || dp == 4789 || sp == 2152 || dp == 2152 || sp == 6081 || dp == 6081 || sp == 3544 ||
        dp == 3544)
      return false;
    ports = (sp << 16) | dp;
    const int64_t wire = std::min<int64_t>(len, l4Len);
    f.payload = static_cast<double>(wire > 8 ? wire - 8 : 0);
    f.header = 8;
    f.flags = 0;
    f.window = -1;
    return true;
  }
  if (proto == 1 && !v6) {
    if (a < 8) return false;
    const uint32_t t = b[l4], code = b[l4 + 1], id = be16(b + l4 + 4);
    if (t == 8 || t == 13 || t == 15 || t == 17) ports = id << 16;
    else if (t == 0 || t == 14 || t == 16 || t == 18) ports = id;
    else ports = (t << 16) | code;
    f.payload = static_cast<double>(l4Len > 8 ? l4Len - 8 : 0);
  } else if (proto == 58 && v6) {
    if (a < 4) return false;
    const uint32_t t = b[l4], code = b[l4 + 1];
    if (t == 128 || t == 129) {
      if (a < 8) return false;
      const uint32_t id = be16(b + l4 + 4);
      ports = t == 128 ? id << 16 : id;
      f.payload = static_cast<double>(l4Len > 8 ? l4Len - 8 : 0);
    } else {
      ports = (t << 16) | code;
      f.payload = static_cast<double>(l4Len > 4 ? l4Len - 4 : 0);
    }
  } else {
    return false;
  }
  f.header = 8;
  f.flags = 0;
  f.window = -1;
  return true;
}

/** What decodeFrame made of a frame. */
enum FrameKind { FRAME_FLOW, FRAME_NOT_IP, FRAME_JS };

/**
 * One frame of link type `linkType`: FRAME_FLOW with `k` (hashed) and `f` filled, FRAME_NOT_IP
 * for a frame the decoder leaves out of flows, FRAME_JS to hand it to JavaScript untouched.
 * Every read is within b[0, capLen).
 */
inline FrameKind decodeFrame(const uint8_t *b, uint32_t capLen, uint32_t origLen, uint32_t linkType, int byteMode,
                             double ts, uint32_t *k, Facts &f) {
  int64_t end = capLen;
  int64_t wireEnd = std::max(origLen, capLen);
  int64_t off = 0;
  uint32_t vlan = 0;
  int version = 0;
  if (linkType == 1) {
    if (end < 14) return FRAME_JS;
    uint32_t type = be16(b + 12);
    off = 14;
    int tags = 0;
    while (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
      if (end - off < 4 || tags >= 8) return FRAME_JS;
      if (tags == 0) vlan = be16(b + off) & 0x0fff;
      tags++;
      type = be16(b + off + 2);
      off += 4;
    }
    if (type == 0x0800) version = 4;
    else if (type == 0x86dd) version = 6;
    else if (type == 0x8864 || type == 0x8847 || type == 0x8848 || type == 0x894f) return FRAME_JS;
  } else if (linkType == 101) {
    const int v = end > 0 ? b[0] >> 4 : 0;
    version = v == 4 || v == 6 ? v : 0;
  } else if (linkType == 228) {
    version = 4;
  } else if (linkType == 229) {
    version = 6;
  } else {
    return FRAME_JS;
  }
  if (version == 0) return FRAME_NOT_IP;
  uint32_t proto, ports = 0;
  int64_t l4, l4Len;
  double ipLen;
  if (version == 4) {
    const int64_t avail = end - off;
    if (avail < 20 || (b[off] >> 4) != 4) return FRAME_JS;
    const int64_t ihl = (b[off] & 0x0f) << 2;
    const int64_t totalLen = be16(b + off + 2);
    const uint32_t frag = be16(b + off + 6);
    if (ihl < 20 || totalLen < ihl || avail < ihl || wireEnd - off < ihl) return FRAME_JS;
    if ((frag & 0x3fff) != 0) return FRAME_JS; // a fragment: JavaScript attributes it
    proto = b[off + 9];
    if (totalLen < avail) end = off + totalLen;
    if (off + totalLen < wireEnd) wireEnd = off + totalLen;
    l4 = off + ihl;
    l4Len = wireEnd - l4;
    ipLen = static_cast<double>(totalLen);
    k[K_SRC] = be32(b + off + 12);
    k[K_DST] = be32(b + off + 16);
    k[K_SRC + 1] = k[K_SRC + 2] = k[K_SRC + 3] = 0;
    k[K_DST + 1] = k[K_DST + 2] = k[K_DST + 3] = 0;
    k[K_META] = 4 | (proto << 8) | (1 << 16);
  } else {
    const int64_t avail = end - off;
    if (avail < 40 || (b[off] >> 4) != 6) return FRAME_JS;
    const int64_t plen = be16(b + off + 4);
    proto = b[off + 6];
    // extension headers, jumbograms: JavaScript
    if (plen == 0 || (proto != 6 && proto != 17 && proto != 58)) return FRAME_JS;
    if (40 + plen < avail) end = off + 40 + plen;
    if (off + 40 + plen < wireEnd) wireEnd = off + 40 + plen;
    l4 = off + 40;
    l4Len = wireEnd - l4;
    if (l4Len < 0) return FRAME_JS;
    ipLen = static_cast<double>(40 + plen);
    for (int i = 0; i < 4; i++) {
      k[K_SRC + i] = be32(b + off + 8 + 4 * i);
      k[K_DST + i] = be32(b + off + 24 + 4 * i);
    }
    k[K_META] = 6 | (proto << 8) | (4 << 16);
  }
  if (!transport(b, end, l4, l4Len, proto, version == 6, f, ports)) return FRAME_JS;
  k[K_VLAN] = vlan;
  k[K_PORTS] = ports;
  hashKey(k);
  f.ts = ts;
  f.bytes = byteMode == 0 ? static_cast<double>(origLen) : byteMode == 1 ? ipLen : f.payload;
  return FRAME_FLOW;
}

} // namespace sentra_flow
