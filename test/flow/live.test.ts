/**
 * `sentra flows -i IF` runs the flow engine on a live interface: while it runs, tcpdump records
 * the same interface; the flows it reports must be the flows `sentra flows FILE` reports for
 * tcpdump's file (whose flow counts are checked against NFStream and tshark elsewhere), and they
 * must include the conversations the test generated.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, startTcpdump, type TwoHosts, twoHosts } from '../capture/lab.js';
import { CLI, runCli } from '../helpers/cli.js';
import { cleanupStaleNamespaces, NetnsLab } from '../helpers/netns.js';

const lab = new NetnsLab();
let h: TwoHosts;
let tmp: string;
let child: ChildProcess | null = null;

beforeAll(async () => {
  await cleanupStaleNamespaces();
  h = await twoHosts(lab);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sentra-liveflows-'));
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await lab.destroy();
  rmSync(tmp, { recursive: true, force: true });
});

type Flow = {
  src_ip: string;
  dst_ip: string;
  protocol: number;
  bidirectional_packets: number;
  bidirectional_bytes: number;
};

function parseFlows(text: string): Flow[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Flow);
}

const key = (f: Flow) =>
  `${f.src_ip}>${f.dst_ip}/${f.protocol}:${f.bidirectional_packets}:${f.bidirectional_bytes}`;

describe('sentra flows -i', () => {
  it('reports the flows of the live traffic, equal to the flows of the same packets read from a file', async () => {
    const file = path.join(tmp, 'same.pcap');
    const td = await startTcpdump(lab, h.b, 'eth0', 'icmp or udp', file);
    child = spawn(
      process.execPath,
      [
        CLI,
        'flows',
        '-i',
        'eth0',
        '--netns',
        h.b,
        '-f',
        'icmp or udp',
        '--format',
        'jsonl',
        '--duration',
        '6',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    const exited = new Promise<number | null>((resolve) => child?.once('exit', (c) => resolve(c)));
    const t0 = Date.now();
    while (!err.includes('listening on')) {
      if (Date.now() - t0 > 15_000) throw new Error(`sentra flows -i did not start: ${err}`);
      await sleep(50);
    }
    // bounded traffic inside the lab: 5 pings, and 3 UDP datagrams to a closed port
    await lab.exec(h.a, ['ping', '-q', '-c', '5', '-i', '0.1', h.ipB]);
    for (let i = 0; i < 3; i++) {
      await lab.exec(h.a, ['sh', '-c', `echo hello | nc -u -w 1 -q 0 ${h.ipB} 9999`]).catch(() => undefined);
    }
    expect(await exited).toBe(0);
    await td.stop();
    const live = parseFlows(out);
    const fromFile = await runCli(['flows', file, '--format', 'jsonl']);
    expect(fromFile.code).toBe(0);
    const offline = parseFlows(fromFile.stdout);
    expect(live.map(key).sort()).toEqual(offline.map(key).sort());
    const ping = live.find((f) => f.protocol === 1 && f.src_ip === h.ipA && f.dst_ip === h.ipB);
    expect(ping?.bidirectional_packets).toBe(10);
    expect(live.some((f) => f.protocol === 17 && f.src_ip === h.ipA)).toBe(true);
  });

  it('refuses a file and -i together, and -f without -i', async () => {
    const a = await runCli(['flows', 'x.pcap', '-i', 'eth0']);
    expect(a.code).toBe(2);
    const b = await runCli(['flows', 'x.pcap', '-f', 'tcp']);
    expect(b.code).toBe(2);
  });
});
