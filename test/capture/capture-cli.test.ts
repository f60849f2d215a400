/**
 * `sentra capture` (the built CLI, as users run it) against tcpdump on the same interface and
 * filter: -C rotation makes the files tcpdump makes (same names, same packets in each), -G
 * names files through strftime, -c stops, --json prints summaries; `sentra interfaces`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strftime } from '../../src/capture/rotation.js';
import { CLI, runCli } from '../helpers/cli.js';
import { cleanupStaleNamespaces, NetnsLab, run } from '../helpers/netns.js';
import { readPcapFile, sleep, startTcpdump, type TwoHosts, twoHosts } from './lab.js';

const lab = new NetnsLab();
let h: TwoHosts;
let tmp: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  await cleanupStaleNamespaces();
  h = await twoHosts(lab);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sentra-capcli-'));
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await lab.destroy();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Starts `sentra capture ...` and resolves once it listens; `done` resolves with its exit. */
async function startSentra(args: string[]) {
  const child = spawn(process.execPath, [CLI, 'capture', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  let stdout = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  const done = new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stderr, stdout })),
  );
  const t0 = Date.now();
  while (!stderr.includes('listening on') && !/"summary"|packets captured/.test(stderr + stdout)) {
    if (child.exitCode !== null || Date.now() - t0 > 15_000)
      throw new Error(`sentra capture did not start: ${stderr}`);
    await sleep(50);
  }
  return { child, done };
}

describe('sentra capture', () => {
  it('-C rotation: the same file names and the same packets per file as tcpdump -C', async () => {
    const dT = path.join(tmp, 'tcpdump');
    const dS = path.join(tmp, 'sentra');
    mkdirSync(dT);
    mkdirSync(dS);
    const td = await startTcpdump(lab, h.b, 'eth0', 'icmp', path.join(dT, 'trace.pcap'), [
      '-C',
      '1',
      '-Z',
      'root',
    ]);
    const s = await startSentra([
      '-i',
      'eth0',
      '--netns',
      h.b,
      '-w',
      path.join(dS, 'trace.pcap'),
      '-C',
      '1',
      'icmp',
    ]);
    await lab.exec(h.a, ['ping', '-q', '-c', '1500', '-i', '0.002', '-s', '1000', h.ipB], {
      timeoutMs: 60_000,
    });
    await sleep(500);
    const tdStats = await td.stop();
    s.child.kill('SIGINT');
    const r = await s.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('3000 packets captured');
    expect(tdStats.captured).toBe(3000);
    const names = readdirSync(dT).sort();
    expect(names).toEqual(['trace.pcap', 'trace.pcap1', 'trace.pcap2', 'trace.pcap3']);
    expect(readdirSync(dS).sort()).toEqual(names);
    for (const n of names) {
      // as multisets within each file: two sockets may order a request and its reply apart
      const hexes = (f: string) =>
        readPcapFile(f)
          .packets.map((p) => Buffer.from(p.data).toString('hex'))
          .sort();
      expect(hexes(path.join(dS, n))).toEqual(hexes(path.join(dT, n)));
    }
    // tshark opens every file
    const { stdout } = await run(['capinfos', '-c', '-M', ...names.map((n) => path.join(dS, n))]);
    expect(stdout).toContain('Number of packets:');
  }, 90_000);

  it('-C with -W: names padded to the width of W and wrapping, as tcpdump', async () => {
    const dT = path.join(tmp, 'tw');
    const dS = path.join(tmp, 'sw');
    mkdirSync(dT);
    mkdirSync(dS);
    const td = await startTcpdump(lab, h.b, 'eth0', 'icmp', path.join(dT, 'r'), [
      '-C',
      '1',
      '-W',
      '3',
      '-Z',
      'root',
    ]);
    const s = await startSentra([
      '-i',
      'eth0',
      '--netns',
      h.b,
      '-w',
      path.join(dS, 'r'),
      '-C',
      '1',
      '-W',
      '3',
      'icmp',
    ]);
    await lab.exec(h.a, ['ping', '-q', '-c', '1500', '-i', '0.002', '-s', '1000', h.ipB], {
      timeoutMs: 60_000,
    });
    await sleep(500);
    await td.stop();
    s.child.kill('SIGINT');
    await s.done;
    const names = readdirSync(dT).sort();
    expect(names).toEqual(['r0', 'r1', 'r2']);
    expect(readdirSync(dS).sort()).toEqual(names);
    for (const n of names) {
      expect(readPcapFile(path.join(dS, n)).packets.length).toBe(
        readPcapFile(path.join(dT, n)).packets.length,
      );
    }
  }, 90_000);

  it('-G names each file through strftime and holds the packets of its time slice', async () => {
    const dS = path.join(tmp, 'g');
    mkdirSync(dS);
    const pattern = path.join(dS, 'g-%Y%m%d-%H%M%S.pcap');
    const s = await startSentra([
      '-i',
      'eth0',
      '--netns',
      h.b,
      '-w',
      pattern,
      '-G',
      '1',
      '--duration',
      '3.5',
      'icmp',
    ]);
    await lab.exec(h.a, ['ping', '-q', '-c', '30', '-i', '0.1', h.ipB], { timeoutMs: 20_000 });
    const r = await s.done;
    expect(r.code).toBe(0);
    const files = readdirSync(dS).sort();
    expect(files.length).toBeGreaterThanOrEqual(3);
    let total = 0;
    for (const f of files) {
      expect(f).toMatch(/^g-\d{8}-\d{6}\.pcap$/);
      const pk = readPcapFile(path.join(dS, f)).packets;
      total += pk.length;
      for (const p of pk) {
        // the slice began at the second the name shows; its packets come within the next 2 s
        // (as tcpdump, the clock is read when the packet is handled, a little after its timestamp)
        const near = [-1, 0, 1].map((d) => path.basename(strftime(pattern, new Date((p.tsSec + d) * 1000))));
        expect(near).toContain(f);
      }
    }
    expect(total).toBe(60);
  }, 60_000);

  it('-c stops after n packets; --json prints summaries and the counters', async () => {
    const s = await startSentra(['-i', 'eth0', '--netns', h.b, '-c', '4', '--json', 'icmp']);
    await lab.exec(h.a, ['ping', '-c', '3', '-i', '0.05', h.ipB], { timeoutMs: 20_000 });
    const r = await s.done;
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBe(5);
    expect(lines[0].protocol).toBe('ICMP');
    expect(lines[0].src_ip).toBe(h.ipA);
    expect(lines[1].src_ip).toBe(h.ipB);
    expect(lines[4].summary.packets_captured).toBe(4);
  }, 30_000);

  it('errors: bad filter exits 2 with libpcap message, -C without -w exits 2', async () => {
    const r = await runCli(['capture', '-i', 'eth0', '--netns', h.b, '-f', 'tcp port']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SENTRA_ERR_FILTER_SYNTAX');
    const r2 = await runCli(['capture', '-i', 'eth0', '-C', '1']);
    expect(r2.code).toBe(2);
  });

  it('sentra interfaces --json lists the namespace interfaces ip link shows', async () => {
    const r = await runCli(['interfaces', '--netns', h.b, '--json']);
    expect(r.code).toBe(0);
    const devs = JSON.parse(r.stdout) as { name: string; up: boolean }[];
    const ip = JSON.parse((await run(['ip', '-n', h.b, '-j', 'link', 'show'])).stdout) as {
      ifname: string;
    }[];
    for (const l of ip) expect(devs.map((d) => d.name)).toContain(l.ifname);
    expect(devs.find((d) => d.name === 'eth0')?.up).toBe(true);
  });
});
