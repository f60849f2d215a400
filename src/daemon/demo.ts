/**
 * The demo capture `sentra serve --demo` replays (data/demo/sentra-demo.pcap): two minutes of
 * a small LAN, synthesized packet by packet with correct checksums, so that a new user sees
 * flows and alerts at once. Benign: a client (10.20.0.10) resolving names, fetching pages
 * and pinging. Attacks from 10.20.0.66 on the server 10.20.0.5, like the shared lab capture:
 * a SYN port scan of ports 1-500, SQL injection / XSS / path traversal requests, HTTP and SSH brute force,
 * a SYN flood and a UDP flood. {@link buildDemoCapture} is deterministic: the committed file
 * is its output (a test checks it).
 */
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { PcapWriter } from '../packet/file/pcap-writer.js';

/** Where the shipped demo capture is (data/ at the package root, from src/ or dist/). */
export function demoCapturePath(): string {
  return path.resolve(
    path.dirname(fileURLToPath(import.meta.url)),
    '..',
    '..',
    'data',
    'demo',
    'sentra-demo.pcap',
  );
}

/** The built-in rules (data/demo/sentra-demo.rules): loaded when `ids.rules` is empty. */
export function demoRulesPath(): string {
  return path.join(path.dirname(demoCapturePath()), 'sentra-demo.rules');
}

const MAC = {
  client: [0x02, 0, 0, 0, 0, 0x10],
  server: [0x02, 0, 0, 0, 0, 0x05],
  attacker: [0x02, 0, 0, 0, 0, 0x66],
  gateway: [0x02, 0, 0, 0, 0, 0x01],
};
const IP = { client: '10.20.0.10', server: '10.20.0.5', attacker: '10.20.0.66', dns: '10.20.0.1' };
type Host = keyof typeof IP;

function ipBytes(s: string): number[] {
  return s.split('.').map(Number);
}

function sum16(b: number[], from = 0, to = b.length): number {
  let s = 0;
  for (let i = from; i < to; i += 2) s += (b[i] << 8) | (b[i + 1] ?? 0);
  return s;
}

function fold(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

const macOf = (h: Host) => (h === 'dns' ? MAC.gateway : MAC[h]);

/** One Ethernet/IPv4 frame around `l4` (protocol `proto`), checksums filled in. */
function frame(src: Host, dst: Host, proto: number, l4: number[], id: number): Uint8Array {
  const s = ipBytes(IP[src]);
  const d = ipBytes(IP[dst]);
  const total = 20 + l4.length;
  const ip = [0x45, 0, total >> 8, total & 255, id >> 8, id & 255, 0x40, 0, 64, proto, 0, 0, ...s, ...d];
  const c = fold(sum16(ip));
  ip[10] = c >> 8;
  ip[11] = c & 255;
  if (proto === 6 || proto === 17) {
    const pseudo = [...s, ...d, 0, proto, l4.length >> 8, l4.length & 255];
    const at = proto === 6 ? 16 : 6;
    let ck = fold(sum16(pseudo) + sum16(l4));
    if (proto === 17 && ck === 0) ck = 0xffff;
    l4[at] = ck >> 8;
    l4[at + 1] = ck & 255;
  } else if (proto === 1) {
    const ck = fold(sum16(l4));
    l4[2] = ck >> 8;
    l4[3] = ck & 255;
  }
  return Uint8Array.from([...macOf(dst), ...macOf(src), 0x08, 0x00, ...ip, ...l4]);
}

const F = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16 };

function tcp(
  sp: number,
  dp: number,
  seq: number,
  ack: number,
  flags: number,
  payload: number[] = [],
): number[] {
  const u32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
  return [
    sp >> 8,
    sp & 255,
    dp >> 8,
    dp & 255,
    ...u32(seq),
    ...u32(ack),
    0x50,
    flags,
    0xfa,
    0xf0,
    0,
    0,
    0,
    0,
    ...payload,
  ];
}

function udp(sp: number, dp: number, payload: number[]): number[] {
  const len = 8 + payload.length;
  return [sp >> 8, sp & 255, dp >> 8, dp & 255, len >> 8, len & 255, 0, 0, ...payload];
}

const text = (s: string) => [...Buffer.from(s, 'latin1')];

function dnsQuery(id: number, name: string, answer: number[] | null): number[] {
  const q = [...name.split('.').flatMap((l) => [l.length, ...text(l)]), 0, 0, 1, 0, 1];
  const head = [
    id >> 8,
    id & 255,
    answer ? 0x81 : 0x01,
    answer ? 0x80 : 0x00,
    0,
    1,
    0,
    answer ? 1 : 0,
    0,
    0,
    0,
    0,
  ];
  const ans = answer ? [0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, ...answer] : [];
  return [...head, ...q, ...ans];
}

class Builder {
  readonly packets: Array<{ t: number; data: Uint8Array }> = [];
  private id = 1;
  private port = 40000;

  add(t: number, src: Host, dst: Host, proto: number, l4: number[]): void {
    this.packets.push({ t, data: frame(src, dst, proto, l4, this.id++ & 0xffff) });
  }

  ephemeral(): number {
    this.port = this.port >= 60999 ? 40000 : this.port + 1;
    return this.port;
  }

  /** A whole TCP connection: handshake, request, response, FIN from both sides. */
  conversation(t: number, c: Host, s: Host, dport: number, request: string, response: string): number {
    const sp = this.ephemeral();
    let cs = 1000 + this.id * 7;
    let ss = 5000 + this.id * 11;
    const step = 0.0004;
    const next = (k = 1) => {
      t += step * k;
      return t;
    };
    this.add(t, c, s, 6, tcp(sp, dport, cs, 0, F.SYN));
    this.add(next(), s, c, 6, tcp(dport, sp, ss, cs + 1, F.SYN | F.ACK));
    cs++;
    ss++;
    this.add(next(), c, s, 6, tcp(sp, dport, cs, ss, F.ACK));
    if (request) {
      this.add(next(), c, s, 6, tcp(sp, dport, cs, ss, F.PSH | F.ACK, text(request)));
      cs += request.length;
    }
    if (response) {
      this.add(next(2), s, c, 6, tcp(dport, sp, ss, cs, F.PSH | F.ACK, text(response)));
      ss += response.length;
    }
    this.add(next(), c, s, 6, tcp(sp, dport, cs, ss, F.FIN | F.ACK));
    this.add(next(), s, c, 6, tcp(dport, sp, ss, cs + 1, F.FIN | F.ACK));
    this.add(next(), c, s, 6, tcp(sp, dport, cs + 1, ss + 1, F.ACK));
    return t;
  }
}

function http(method: string, uri: string, extra = ''): string {
  return `${method} ${uri} HTTP/1.1\r\nHost: 10.20.0.5\r\nUser-Agent: demo-client/1.0\r\n${extra}Accept: */*\r\n\r\n`;
}

function httpResponse(status: string, body: string): string {
  return `HTTP/1.1 ${status}\r\nServer: nginx\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
}

const PAGE = `<html><head><title>demo</title></head><body>${'<p>Sentra demo page</p>'.repeat(8)}</body></html>`;
const START = 1_767_225_600; // 2026-01-01T00:00:00Z

/** The demo capture's packets in time order (deterministic). */
export function demoPackets(): Array<{ t: number; data: Uint8Array }> {
  const b = new Builder();
  // benign client: DNS, web pages, pings, spread over the two minutes
  for (let i = 0; i < 24; i++) {
    const t = START + i * 5 + 0.1;
    const name = ['www.example.org', 'updates.example.net', 'mail.example.com'][i % 3];
    const sp = b.ephemeral();
    b.add(t, 'client', 'dns', 17, udp(sp, 53, dnsQuery(0x100 + i, name, null)));
    b.add(t + 0.002, 'dns', 'client', 17, udp(53, sp, dnsQuery(0x100 + i, name, [10, 20, 0, 5])));
    b.conversation(
      t + 0.01,
      'client',
      'server',
      80,
      http('GET', `/index.html?page=${i}`),
      httpResponse('200 OK', PAGE),
    );
    if (i % 4 === 0) {
      const echo = (type: number, seq: number) => [
        type,
        0,
        0,
        0,
        0x12,
        0x34,
        0,
        seq,
        ...text('abcdefghijklmnop'),
      ];
      b.add(t + 0.5, 'client', 'server', 1, echo(8, i));
      b.add(t + 0.5003, 'server', 'client', 1, echo(0, i));
    }
  }
  // port scan: SYN to 1-500, SYN-ACK from 22 and 80, RST from the rest
  let t = START + 20;
  for (let p = 1; p <= 500; p++) {
    t += 0.0008;
    b.add(t, 'attacker', 'server', 6, tcp(51234, p, 0x1000, 0, F.SYN));
    if (p === 22 || p === 80) {
      b.add(t + 0.0002, 'server', 'attacker', 6, tcp(p, 51234, 0x9000 + p, 0x1001, F.SYN | F.ACK));
      b.add(t + 0.0003, 'attacker', 'server', 6, tcp(51234, p, 0x1001, 0, F.RST));
    } else b.add(t + 0.0002, 'server', 'attacker', 6, tcp(p, 51234, 0, 0x1001, F.RST | F.ACK));
  }
  // web attacks
  t = START + 40;
  for (const uri of [
    '/search?id=1%27%20OR%20%271%27%3D%271',
    '/search?id=1%20UNION%20SELECT%20username,password%20FROM%20users--',
    '/search?q=%3Cscript%3Ealert(1)%3C/script%3E',
    '/search?file=../../../../etc/passwd',
  ]) {
    t = b.conversation(
      t + 0.5,
      'attacker',
      'server',
      80,
      http('GET', uri),
      httpResponse('200 OK', 'no results'),
    );
  }
  // HTTP basic-auth brute force, each answered 401
  t = START + 50;
  for (let i = 0; i < 15; i++) {
    const auth = Buffer.from(`admin:pass${i}`).toString('base64');
    t = b.conversation(
      t + 0.3,
      'attacker',
      'server',
      80,
      http('GET', '/login', `Authorization: Basic ${auth}\r\n`),
      httpResponse('401 Unauthorized', 'denied'),
    );
  }
  // SSH brute force: 12 short connections, banner exchange then close
  t = START + 60;
  for (let i = 0; i < 12; i++) {
    t = b.conversation(
      t + 0.8,
      'attacker',
      'server',
      22,
      'SSH-2.0-libssh_0.9.6\r\n',
      'SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n',
    );
  }
  // SYN flood on :80 and UDP flood on :53
  t = START + 80;
  for (let i = 0; i < 1000; i++) {
    b.add(t + i * 0.0002, 'attacker', 'server', 6, tcp(1024 + (i % 60000), 80, 0x20000 + i, 0, F.SYN));
  }
  t = START + 90;
  const junk = Array.from({ length: 36 }, (_, i) => (i * 37) & 255);
  for (let i = 0; i < 400; i++)
    b.add(t + i * 0.0003, 'attacker', 'server', 17, udp(2000 + (i % 1000), 53, junk));
  return b.packets.sort((x, y) => x.t - y.t);
}

/** The demo capture as pcap bytes (microsecond timestamps, Ethernet). */
export async function buildDemoCapture(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  const w = new PcapWriter(out, { snaplen: 65535 });
  for (const p of demoPackets()) {
    const sec = Math.floor(p.t);
    const usec = Math.min(999_999, Math.round((p.t - sec) * 1e6));
    w.writeBytes(sec, usec * 1000, p.data, 0, p.data.length, p.data.length);
  }
  w.flush();
  await new Promise<void>((r) => out.end(r));
  return Buffer.concat(chunks);
}
