/**
 * UDP payloads that make common services answer. A UDP port only proves itself open by
 * answering, and most services ignore an empty datagram, so each well-known port gets a valid
 * request of its protocol (built here from the protocol specifications). Ports without a
 * payload get an empty datagram, which still tells closed (ICMP port unreachable) from silent.
 */

/** DNS query (RFC 1035) for `version.bind` TXT in class CHAOS: servers answer it locally. */
export function dnsVersionQuery(id = 0x5345): Buffer {
  const q = Buffer.from([
    id >> 8,
    id & 0xff,
    0x01,
    0x00,
    0x00,
    0x01,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    7,
    ...Buffer.from('version'),
    4,
    ...Buffer.from('bind'),
    0,
    0x00,
    0x10, // TXT
    0x00,
    0x03, // CH
  ]);
  return q;
}

/** NTP client request (RFC 5905): LI 0, version 4, mode 3, the rest zero. */
function ntpRequest(): Buffer {
  const b = Buffer.alloc(48);
  b[0] = 0x23;
  return b;
}

/** BER length + value helper for the SNMP request. */
function tlv(tag: number, value: Buffer): Buffer {
  if (value.length > 127) throw new Error('tlv too long');
  return Buffer.concat([Buffer.from([tag, value.length]), value]);
}

/** SNMPv1 GetRequest (RFC 1157) for sysDescr.0 with community `public`. */
function snmpGetSysDescr(): Buffer {
  const oid = Buffer.from([0x2b, 6, 1, 2, 1, 1, 1, 0]); // 1.3.6.1.2.1.1.1.0
  const varbind = tlv(0x30, Buffer.concat([tlv(0x06, oid), Buffer.from([0x05, 0x00])]));
  const pdu = tlv(
    0xa0,
    Buffer.concat([
      tlv(0x02, Buffer.from([0x53, 0x4e])),
      tlv(0x02, Buffer.from([0])),
      tlv(0x02, Buffer.from([0])),
      tlv(0x30, varbind),
    ]),
  );
  return tlv(0x30, Buffer.concat([tlv(0x02, Buffer.from([0])), tlv(0x04, Buffer.from('public')), pdu]));
}

/** NetBIOS name service node status request (RFC 1002) for the wildcard name `*`. */
function nbstatQuery(): Buffer {
  const name = Buffer.alloc(32, 0x41); // 'A' = nibble 0
  name[0] = 0x43; // '*' = 0x2a -> 'C','K'
  name[1] = 0x4b;
  return Buffer.concat([
    Buffer.from([0x53, 0x4e, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20]),
    name,
    Buffer.from([0x00, 0x00, 0x21, 0x00, 0x01]),
  ]);
}

/** SSDP search (UPnP Device Architecture 1.1, section 1.3.2), sent unicast. */
function ssdpSearch(): Buffer {
  return Buffer.from(
    'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n',
  );
}

/** mDNS (RFC 6762) one-shot unicast query for `_services._dns-sd._udp.local` PTR. */
function mdnsServices(): Buffer {
  const labels = ['_services', '_dns-sd', '_udp', 'local'];
  const parts: number[] = [0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
  for (const l of labels) parts.push(l.length, ...Buffer.from(l));
  parts.push(0, 0x00, 0x0c, 0x00, 0x01);
  return Buffer.from(parts);
}

/** TFTP read request (RFC 1350) for a file that does not exist: a server answers with an error. */
function tftpRead(): Buffer {
  return Buffer.concat([Buffer.from([0, 1]), Buffer.from('sentra-probe\0octet\0')]);
}

/** ONC RPC (RFC 5531) call to the portmapper's NULL procedure (program 100000, version 2). */
function rpcNull(): Buffer {
  const b = Buffer.alloc(40);
  b.writeUInt32BE(0x534e5452, 0); // xid
  b.writeUInt32BE(0, 4); // CALL
  b.writeUInt32BE(2, 8); // RPC version
  b.writeUInt32BE(100000, 12);
  b.writeUInt32BE(2, 16);
  b.writeUInt32BE(0, 20); // NULL procedure
  // credentials and verifier: AUTH_NONE, length 0 (already zero)
  return b;
}

/** memcached UDP frame header (request id, sequence 0, 1 datagram) + `version`. */
function memcachedVersion(): Buffer {
  return Buffer.concat([Buffer.from([0x53, 0x4e, 0, 0, 0, 1, 0, 0]), Buffer.from('version\r\n')]);
}

/** IKEv2 IKE_SA_INIT header (RFC 7296) with no payloads: responders send a notify or drop. */
function ikeHeader(): Buffer {
  const b = Buffer.alloc(28);
  b.write('SentraIK', 0, 'latin1'); // initiator SPI
  b[17] = 0x20; // version 2.0
  b[18] = 34; // IKE_SA_INIT
  b[19] = 0x08; // initiator
  b.writeUInt32BE(28, 24);
  return b;
}

const PAYLOADS: Record<number, () => Buffer> = {
  53: () => dnsVersionQuery(),
  69: tftpRead,
  111: rpcNull,
  123: ntpRequest,
  137: nbstatQuery,
  161: snmpGetSysDescr,
  500: ikeHeader,
  1900: ssdpSearch,
  5353: mdnsServices,
  11211: memcachedVersion,
};

/** The probe payload for a UDP port (empty when Sentra has no protocol probe for it). */
export function udpPayload(port: number): Buffer {
  const f = PAYLOADS[port];
  return f ? f() : Buffer.alloc(0);
}
