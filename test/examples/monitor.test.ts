/**
 * The spec's monitoring and capture scripts run with `sentra run` in the lab's control
 * namespace, `eth0` mapped onto its `lan0`: network_monitor.sn, packet_capture.sn (as written,
 * 30 s) and usecase4_dashboard.sn. The test makes real traffic (ping, UDP datagrams, HTTP) while
 * they run and checks what they print against tcpdump's capture of the same interface, read
 * with tshark.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot } from '../helpers/netns.js';
import { ExampleLab, sleep, tsharkRows, until } from './lab.js';

const lab = new ExampleLab();
const ROUND = '=== Network Statistics ===\n';
const FRAME = '      NETWORK TRAFFIC MONITOR DASHBOARD';
const canRun = isRoot();

beforeAll(async () => {
  if (!canRun) return;
  await lab.startLab([{ name: 'srv', octet: 2 }]);
  const srv = lab.host('srv');
  await lab.namedHttp(srv, 80);
  // a UDP sink, so that datagrams get no ICMP "port unreachable" back
  lab.lab.spawn(srv.ns, [
    process.execPath,
    '-e',
    `require('dgram').createSocket('udp4').on('message',()=>{}).bind(9999,${JSON.stringify(srv.ip)})`,
  ]);
  // a listening socket in the control namespace, for the connection count
  await lab.nodeServer(lab.ctl, [7000]);
  await sleep(1500); // let the links' own chatter (IPv6 neighbour discovery) settle
}, 60_000);

afterAll(async () => {
  if (canRun) await lab.destroy();
});

/** From the control host: 10 pings, 5 UDP datagrams, `http` HTTP requests to srv. */
async function traffic(http: number): Promise<void> {
  const srv = lab.host('srv');
  await lab.inCtl(['ping', '-n', '-q', '-c', '10', '-i', '0.05', srv.ip]);
  for (let i = 0; i < 5; i++) {
    await lab.lab.exec(lab.ctl.ns, ['nc', '-u', '-q', '0', srv.ip, '9999'], { input: `datagram ${i}\n` });
  }
  for (let i = 0; i < http; i++) {
    await lab.inCtl(['curl', '-s', '-o', '/dev/null', '--max-time', '5', `http://${srv.ip}/req${i}`]);
  }
}

/** tshark's count of the packets of `file` matching `display`. */
async function count(file: string, display: string): Promise<number> {
  return (await tsharkRows(file, ['frame.number'], display)).length;
}

/** Bytes on the wire of one conversation (both directions), by tshark. */
async function conversationBytes(
  file: string,
  flow: { a: string; ap: number; b: string; bp: number; proto: string },
) {
  const p = flow.proto.toLowerCase();
  const ports = p.startsWith('icmp') ? '' : ` and ${p}.port == ${flow.ap} and ${p}.port == ${flow.bp}`;
  const ip = flow.a.includes(':') ? 'ipv6' : 'ip';
  const rows = await tsharkRows(
    file,
    ['frame.len'],
    `${p} and ${ip}.addr == ${flow.a} and ${ip}.addr == ${flow.b}${ports}`,
  );
  return rows.reduce((s, r) => s + Number(r[0]), 0);
}

describe.skipIf(!canRun)('monitoring examples', () => {
  it('network_monitor.sn: bandwidth, protocol counts and top talkers of real traffic', async () => {
    const oracle = await lab.tcpdump(lab.ctl.ns, 'lan0');
    const script = lab.launch(lab.example('network_monitor.sn'), 12);
    await until(script.output, (o) => o.includes('Top Bandwidth Consumers'), 10_000);
    await traffic(2);
    // the first round that starts after the traffic (every 5 s; --timeout allows two more)
    const after = script.output().split(ROUND).length - 1;
    const r = await script.done;
    const file = await oracle.stop();
    expect(r.code).toBe(124);
    expect(r.stdout).toMatch(/^Monitoring started: monitor-\d+\n/);
    const rounds = r.stdout.split(ROUND).slice(1);
    expect(rounds.length).toBeGreaterThan(after);
    const last = rounds[after];
    const num = (re: RegExp) => Number(re.exec(last)?.[1]);

    // protocol counts: exactly what tcpdump saw (nothing else of these protocols crossed lan0)
    const [tcp, udp, icmp] = [await count(file, 'tcp'), await count(file, 'udp'), await count(file, 'icmp')];
    expect(icmp).toBe(20);
    expect(udp).toBe(5);
    expect(last).toContain(`\nProtocol Distribution:\n  TCP: ${tcp}\n  UDP: ${udp}\n  ICMP: ${icmp}\n`);

    // kernel counters: at least the IP packets each way, at most every frame each way
    const ctl = lab.ctl.ip;
    const txMin = await count(file, `ip.src == ${ctl}`);
    const rxMin = await count(file, `ip.dst == ${ctl}`);
    const all = await count(file, '');
    expect(num(/TX Packets: (\d+)/)).toBeGreaterThanOrEqual(txMin);
    expect(num(/RX Packets: (\d+)/)).toBeGreaterThanOrEqual(rxMin);
    expect(num(/TX Packets: (\d+)/) + num(/RX Packets: (\d+)/)).toBeLessThanOrEqual(all);
    expect(num(/RX: [\d.e+-]+ Mbps \((\d+) bytes\)/)).toBeGreaterThan(0);

    // top talkers: five conversations, each with the bytes tshark adds up for it
    const talkers = [...last.matchAll(/ {2}(\S+):(\d+) -> (\S+):(\d+)\n {4}Protocol: (\w+), Bytes: (\d+)/g)];
    expect(talkers.length).toBe(5);
    const protos = new Set<string>();
    for (const [, a, ap, b, bp, proto, bytes] of talkers) {
      protos.add(proto);
      const flow = { a, ap: Number(ap), b, bp: Number(bp), proto };
      const oracleBytes = await conversationBytes(file, flow);
      // the test's own traffic ended before this round; the links' chatter (ICMPv6) goes on after it
      if (['ICMP', 'TCP', 'UDP'].includes(proto))
        expect(Number(bytes), `${a}:${ap} -> ${b}:${bp} ${proto}`).toBe(oracleBytes);
      else expect(Number(bytes)).toBeLessThanOrEqual(oracleBytes);
    }
    // the biggest conversations are the pings and the HTTP requests (datagrams are small)
    for (const p of ['ICMP', 'TCP']) expect(protos).toContain(p);
  }, 60_000);

  it('packet_capture.sn: 30 s of HTTP traffic, analysed packet by packet, saved as a pcap tshark reads', async () => {
    const oracle = await lab.tcpdump(lab.ctl.ns, 'lan0', 'tcp port 80 or tcp port 443');
    const script = lab.launch(lab.example('packet_capture.sn'), 45);
    await until(script.output, (o) => o.includes('Capture started'), 10_000);
    await sleep(500);
    await traffic(3); // pings and datagrams too: the filter must leave them out
    const r = await script.done;
    const expected = await tsharkRows(await oracle.stop(), [
      'ip.src',
      'tcp.srcport',
      'ip.dst',
      'tcp.dstport',
      'frame.len',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Capture started: capture-\d+\n/);
    expect(expected.length).toBeGreaterThan(20);
    expect(r.stdout).toContain(`\nCaptured ${expected.length} packets\n`);
    const printed = [
      ...r.stdout.matchAll(
        /Packet: (\S+):(\d+) -> (\S+):(\d+)\n {2}Protocol: (\w+)\n {2}Length: (\d+) bytes\n {2}Time: ([\d.]+)\n/g,
      ),
    ];
    expect(printed.map((m) => [m[1], m[2], m[3], m[4], m[6]])).toEqual(expected);
    expect(new Set(printed.map((m) => m[5]))).toEqual(new Set(['TCP']));
    // the saved file, read by tshark, holds the same packets
    const saved = await tsharkRows(`${lab.dir}/traffic_dump.pcap`, [
      'ip.src',
      'tcp.srcport',
      'ip.dst',
      'tcp.dstport',
      'frame.len',
    ]);
    expect(saved).toEqual(expected);
  }, 90_000);

  it('usecase4_dashboard.sn: bandwidth, protocol shares, top talkers, connections and recent packets', async () => {
    const oracle = await lab.tcpdump(lab.ctl.ns, 'lan0');
    const script = lab.launch(lab.example('usecase4_dashboard.sn'), 9);
    await until(script.output, (o) => o.includes('Press Ctrl+C to exit'), 10_000);
    await traffic(2);
    // the first frame drawn after the traffic (every 2 s)
    const after = script.output().split(FRAME).length - 1;
    // the sockets as ss lists them as soon as the next frame starts (the script's own included)
    await until(script.output, (o) => o.split(FRAME).length - 1 > after + 1, 10_000);
    const { stdout: ss } = await lab.inCtl(['ss', '-tuanH']);
    const r = await script.done;
    const file = await oracle.stop();
    expect(r.code).toBe(124);
    const frames = r.stdout.split(FRAME).slice(1);
    expect(frames.length).toBeGreaterThan(after);
    const last = frames[after];
    expect(last).toContain('Press Ctrl+C to exit');

    const [tcp, udp, icmp] = [await count(file, 'tcp'), await count(file, 'udp'), await count(file, 'icmp')];
    const total = tcp + udp + icmp;
    const pct = (n: number) => String((n / total) * 100);
    expect(last).toContain(
      `\n[PROTOCOLS]\n  TCP:  ${pct(tcp)}%\n  UDP:  ${pct(udp)}%\n  ICMP: ${pct(icmp)}%\n`,
    );
    expect(Number(/RX Packets: (\d+)/.exec(last)?.[1])).toBeGreaterThanOrEqual(
      await count(file, `ip.dst == ${lab.ctl.ip}`),
    );

    // top talkers, most bytes first: the ICMP conversation (20 x 98 bytes) leads
    const talkers = [...last.matchAll(/ {2}(\d)\. (\S+) -> (\S+)\n {5}([\d.e-]+) MB/g)];
    expect(talkers.length).toBe(5);
    expect(talkers.map((t) => t[1])).toEqual(['1', '2', '3', '4', '5']);
    const icmpBytes = await conversationBytes(file, {
      a: lab.ctl.ip,
      ap: 0,
      b: lab.host('srv').ip,
      bp: 0,
      proto: 'ICMP',
    });
    expect(icmpBytes).toBe(20 * 98);
    expect(Number(talkers[0][4])).toBe(icmpBytes / 1024 / 1024);

    // connections: the sockets of the control namespace, as ss lists them
    // (compared with the frame drawn just before ss ran, the one after `last`)
    const sockets = ss.split('\n').filter((l) => l.trim() !== '').length;
    expect(frames.length).toBeGreaterThan(after + 1);
    expect(frames[after + 1]).toContain(`\n[ACTIVE CONNECTIONS]: ${sockets}\n`);

    // recent packets: each one printed is a packet tcpdump saw
    const fields = [
      'ip.src',
      'ipv6.src',
      'tcp.srcport',
      'udp.srcport',
      'ip.dst',
      'ipv6.dst',
      'tcp.dstport',
      'udp.dstport',
    ];
    const seen = new Set(
      (await tsharkRows(file, fields, 'ip or ipv6')).map(
        ([s4, s6, ts, us, d4, d6, td, ud]) => `${s4 || s6}:${ts || us || 0} -> ${d4 || d6}:${td || ud || 0}`,
      ),
    );
    const recent = [...last.split('[RECENT PACKETS]\n')[1].matchAll(/ {2}(\S+:\d+ -> \S+:\d+) \[(\w+)\]/g)];
    expect(recent.length).toBe(5);
    for (const [, pair] of recent) expect(seen.has(pair), pair).toBe(true);
  }, 60_000);
});
