/**
 * Names a filter may use instead of numbers: port names (`port ssh`), IP protocol names
 * (`ip proto \udp`) and Ethernet protocol names (`ether proto \arp`). Like libpcap, port and IP
 * protocol names come from the system databases (/etc/services, /etc/protocols), read once;
 * a small built-in table stands in where a file is missing. Ethernet and LLC names are
 * libpcap's own static tables.
 */
import { readFileSync } from 'node:fs';

/** libpcap's PROTO_UNDEF: the name is a port of TCP and UDP alike. */
export type PortProto = 'tcp' | 'udp' | 'any';

const BUILTIN_SERVICES = `
ftp-data 20/tcp
ftp 21/tcp
ssh 22/tcp
telnet 23/tcp
smtp 25/tcp
domain 53/tcp
domain 53/udp
bootps 67/udp
bootpc 68/udp
tftp 69/udp
http 80/tcp www
kerberos 88/tcp
kerberos 88/udp
pop3 110/tcp
ntp 123/udp
netbios-ns 137/udp
imap2 143/tcp imap
snmp 161/tcp
snmp 161/udp
ldap 389/tcp
https 443/tcp
https 443/udp
syslog 514/udp
submission 587/tcp
imaps 993/tcp
pop3s 995/tcp
openvpn 1194/tcp
openvpn 1194/udp
mysql 3306/tcp
postgresql 5432/tcp
`;

const BUILTIN_PROTOCOLS = `
ip 0 IP
icmp 1 ICMP
igmp 2 IGMP
ipencap 4 IP-ENCAP
tcp 6 TCP
egp 8 EGP
igp 9 IGP
udp 17 UDP
ipv6 41 IPv6
ipv6-route 43 IPv6-Route
ipv6-frag 44 IPv6-Frag
rsvp 46 RSVP
gre 47 GRE
esp 50 IPSEC-ESP
ah 51 IPSEC-AH
ipv6-icmp 58 IPv6-ICMP
ipv6-nonxt 59 IPv6-NoNxt
ipv6-opts 60 IPv6-Opts
eigrp 88 EIGRP
ospf 89 OSPFIGP
pim 103 PIM
vrrp 112 VRRP
l2tp 115 L2TP
sctp 132 SCTP
udplite 136 UDPLite
`;

function readSystemFile(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return fallback;
  }
}

interface Services {
  tcp: Map<string, number>;
  udp: Map<string, number>;
}

let services: Services | null = null;
let protocols: Map<string, number> | null = null;

function loadServices(): Services {
  if (services) return services;
  const s: Services = { tcp: new Map(), udp: new Map() };
  for (const raw of readSystemFile('/etc/services', BUILTIN_SERVICES).split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [name, portProto, ...aliases] = line.split(/\s+/);
    const m = /^(\d+)\/(tcp|udp)$/.exec(portProto ?? '');
    if (!m) continue;
    const map = m[2] === 'tcp' ? s.tcp : s.udp;
    const port = Number(m[1]);
    // getservbyname returns the first entry that has the name, as the file is read in order
    for (const n of [name, ...aliases]) if (!map.has(n)) map.set(n, port);
  }
  services = s;
  return s;
}

function loadProtocols(): Map<string, number> {
  if (protocols) return protocols;
  const p = new Map<string, number>();
  for (const raw of readSystemFile('/etc/protocols', BUILTIN_PROTOCOLS).split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [name, num, ...aliases] = line.split(/\s+/);
    if (!/^\d+$/.test(num ?? '')) continue;
    for (const n of [name, ...aliases]) if (!p.has(n)) p.set(n, Number(num));
  }
  protocols = p;
  return p;
}

/**
 * libpcap's pcap_nametoport: the port of a service name, and whether it names a TCP port, a
 * UDP port, or the same port of both (`any`). A name whose TCP and UDP ports differ is its TCP
 * port, as in libpcap.
 */
export function lookupPort(name: string): { port: number; proto: PortProto } | null {
  const s = loadServices();
  const tcp = s.tcp.get(name);
  const udp = s.udp.get(name);
  if (tcp !== undefined) return { port: tcp, proto: udp === tcp ? 'any' : 'tcp' };
  if (udp !== undefined) return { port: udp, proto: 'udp' };
  return null;
}

/** libpcap's pcap_nametoportrange: `1-1024` (as sscanf "%d-%d" reads it) or `name-name`. */
export function lookupPortRange(text: string): { from: number; to: number; proto: PortProto } | null {
  const m = /^([+-]?\d+)-([+-]?\d+)/.exec(text);
  if (m) return { from: Number(m[1]), to: Number(m[2]), proto: 'any' };
  const dash = text.indexOf('-');
  if (dash < 0) return null;
  const a = lookupPort(text.slice(0, dash));
  if (!a) return null;
  const b = lookupPort(text.slice(dash + 1));
  if (!b) return null;
  return { from: a.port, to: b.port, proto: a.proto === b.proto ? b.proto : 'any' };
}

/** getprotobyname: an IP protocol number by name or alias. */
export function lookupIpProto(name: string): number | null {
  return loadProtocols().get(name) ?? null;
}

/** libpcap's eproto_db, then its llc_db (`ether proto \ip`, `ether proto \stp`). */
const ETHER_PROTOS: Readonly<Record<string, number>> = {
  pup: 0x0200,
  xns: 0x0600,
  ip: 0x0800,
  ip6: 0x86dd,
  arp: 0x0806,
  rarp: 0x8035,
  sprite: 0x0500,
  mopdl: 0x6001,
  moprc: 0x6002,
  decnet: 0x6003,
  lat: 0x6004,
  sca: 0x6007,
  lanbridge: 0x8038,
  vexp: 0x805b,
  vprod: 0x805c,
  atalk: 0x809b,
  atalkarp: 0x80f3,
  loopback: 0x9000,
  decdts: 0x803e,
  decdns: 0x803c,
  iso: 0xfe,
  stp: 0x42,
  ipx: 0xe0,
  netbeui: 0xf0,
};

export function lookupEtherProto(name: string): number | null {
  return Object.hasOwn(ETHER_PROTOS, name) ? ETHER_PROTOS[name] : null;
}
