/**
 * Writes a classic pcap file (libpcap format, Ethernet link type) holding UDP datagrams over
 * IPv4, for checking encoders with Wireshark's dissectors (tshark). Test support only.
 */

/** One datagram and its capture time (s since the Unix epoch). */
export interface PcapDatagram {
  t: number;
  payload: Uint8Array;
}

function ipChecksum(h: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < h.length; i += 2) sum += (h[i]! << 8) | h[i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** A pcap file with each payload as a UDP datagram 10.0.0.1:50000 -> 10.0.0.2:`port`. */
export function writePcap(datagrams: readonly PcapDatagram[], port = 8600): Uint8Array {
  const parts: Uint8Array[] = [];
  const g = new DataView(new ArrayBuffer(24));
  g.setUint32(0, 0xa1b2c3d4, true); // magic, microsecond timestamps
  g.setUint16(4, 2, true);
  g.setUint16(6, 4, true);
  g.setInt32(8, 0, true);
  g.setUint32(12, 0, true);
  g.setUint32(16, 65535, true); // snaplen
  g.setUint32(20, 1, true); // LINKTYPE_ETHERNET
  parts.push(new Uint8Array(g.buffer));
  datagrams.forEach((d, k) => {
    const udpLen = 8 + d.payload.length;
    const ipLen = 20 + udpLen;
    const frame = new Uint8Array(14 + ipLen);
    const v = new DataView(frame.buffer);
    frame.set([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1], 0); // dst, src MAC
    v.setUint16(12, 0x0800);
    const ip = 14;
    frame[ip] = 0x45;
    v.setUint16(ip + 2, ipLen);
    v.setUint16(ip + 4, k & 0xffff);
    v.setUint16(ip + 6, 0x4000); // don't fragment
    frame[ip + 8] = 64;
    frame[ip + 9] = 17; // UDP
    frame.set([10, 0, 0, 1, 10, 0, 0, 2], ip + 12);
    v.setUint16(ip + 10, ipChecksum(frame.subarray(ip, ip + 20)));
    const udp = ip + 20;
    v.setUint16(udp, 50000);
    v.setUint16(udp + 2, port);
    v.setUint16(udp + 4, udpLen);
    v.setUint16(udp + 6, 0); // no checksum (allowed over IPv4)
    frame.set(d.payload, udp + 8);
    const rec = new DataView(new ArrayBuffer(16));
    const sec = Math.floor(d.t);
    rec.setUint32(0, sec, true);
    rec.setUint32(4, Math.round((d.t - sec) * 1e6), true);
    rec.setUint32(8, frame.length, true);
    rec.setUint32(12, frame.length, true);
    parts.push(new Uint8Array(rec.buffer), frame);
  });
  const total = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
