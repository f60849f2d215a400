/**
 * `sentra ids`: files (EVE, fast.log, summary, exit codes) and a live interface inside a
 * network namespace with real traffic that triggers a rule.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TwoHosts, twoHosts } from '../../capture/lab.js';
import { CLI, runCli } from '../../helpers/cli.js';
import { corpusPath } from '../../helpers/corpus.js';
import { cleanupStaleNamespaces, NetnsLab, waitFor } from '../../helpers/netns.js';

let tmp: string;
const LAB = corpusPath('lab', 'lab-basic.pcap');

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sentra-ids-'));
  writeFileSync(
    path.join(tmp, 'nmap.rules'),
    'alert http any any -> any any (msg:"nmap ua"; http.user_agent; content:"Nmap"; classtype:web-application-attack; sid:1; rev:2;)\n',
  );
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const lines = (f: string) => readFileSync(f, 'utf8').split('\n').filter(Boolean);

describe('sentra ids FILE', () => {
  it('writes EVE and fast.log alerts, a JSON summary, and exits 0', async () => {
    const eve = path.join(tmp, 'eve.json');
    const fast = path.join(tmp, 'fast.log');
    const r = await runCli([
      'ids',
      LAB,
      '--rules',
      path.join(tmp, 'nmap.rules'),
      '--eve',
      eve,
      '--fast',
      fast,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    // tshark finds 4 HTTP requests with an Nmap User-Agent in this capture (engine.test.ts checks it)
    expect(s.alerts).toBe(4);
    expect(s.rules).toEqual({ enabled: 1, loaded: 1, leftOut: 0 });
    const recs = lines(eve).map((l) => JSON.parse(l));
    expect(recs.filter((x) => x.event_type === 'alert')).toHaveLength(4);
    expect(recs[0]).toMatchObject({
      event_type: 'alert',
      app_proto: 'http',
      alert: { signature_id: 1, rev: 2, severity: 1, category: 'Web Application Attack', action: 'allowed' },
    });
    const f = lines(fast);
    expect(f).toHaveLength(4);
    expect(f[0]).toMatch(
      /\[\*\*\] \[1:1:2\] nmap ua \[\*\*\] \[Classification: Web Application Attack\] \[Priority: 1\] \{TCP\} \S+:\d+ -> \S+:80$/,
    );
    expect(s.alertsBySignature[0]).toMatchObject({ sid: 1, count: 4 });
  });

  it('prints the summary table on stderr and exits 0 when nothing fires', async () => {
    writeFileSync(
      path.join(tmp, 'none.rules'),
      'alert tcp any any -> any any (msg:"never"; content:"zzqqzzqq-never"; sid:9;)\n',
    );
    const r = await runCli(['ids', LAB, '--rules', path.join(tmp, 'none.rules')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/packets\s+MB\s+flows\s+alerts/);
    expect(r.stderr).toMatch(/\b13698\b/);
  });

  it('reads stdin with -', async () => {
    const r = await runCli(['ids', '-', '--rules', path.join(tmp, 'nmap.rules'), '--json'], {
      input: readFileSync(LAB),
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).alerts).toBe(4);
  });

  it('exits 3 on a truncated capture after inspecting what came before', async () => {
    const cut = path.join(tmp, 'cut.pcap');
    copyFileSync(LAB, cut);
    truncateSync(cut, statSync(LAB).size - 100);
    const r = await runCli(['ids', cut, '--rules', path.join(tmp, 'nmap.rules'), '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!).packets).toBeGreaterThan(13000);
  });

  it('exits 2 on bad usage', async () => {
    expect(
      (await runCli(['ids', LAB, '--rules', path.join(tmp, 'nmap.rules'), '--duration', '3'])).code,
    ).toBe(2);
    expect((await runCli(['ids', '--rules', path.join(tmp, 'nmap.rules')])).code).toBe(2);
  });
});

describe('sentra ids -i (network namespace)', () => {
  const lab = new NetnsLab();
  let h: TwoHosts;
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    await cleanupStaleNamespaces();
    h = await twoHosts(lab);
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await lab.destroy();
  });

  it('alerts on live pings whose payload matches a rule', async () => {
    const rules = path.join(tmp, 'ping.rules');
    writeFileSync(
      rules,
      'alert icmp any any -> any any (msg:"marked ping"; itype:8; content:"sentra!"; sid:7;)\n',
    );
    const eve = path.join(tmp, 'live-eve.json');
    child = spawn(
      process.execPath,
      [CLI, 'ids', '-i', 'eth0', '--netns', h.b, '--rules', rules, '--eve', eve, '--duration', '6', '--json'],
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
    const exited = new Promise<number>((resolve) => child!.on('exit', (c) => resolve(c ?? -1)));
    // the capture is open once the CLI says so (a fixed sleep lost the first ping on a loaded machine)
    await waitFor(() => err.includes('listening on eth0'), 30_000, 'sentra ids to open the capture');
    // 3 echo requests carrying "sentra!" (hex 73656e74726121), 3 plain ones that must not match
    const marked = await lab.exec(h.a, ['ping', '-c', '3', '-i', '0.2', '-p', '73656e74726121', h.ipB]);
    await lab.exec(h.a, ['ping', '-c', '3', '-i', '0.2', h.ipB]);
    expect(marked.stdout).toMatch(/3 packets transmitted/);
    const code = await exited;
    expect(code, err).toBe(0);
    const s = JSON.parse(out.trim().split('\n').pop()!);
    expect(s.alerts).toBe(3);
    const recs = lines(eve).map((l) => JSON.parse(l));
    expect(recs).toHaveLength(3);
    for (const rec of recs)
      expect(rec).toMatchObject({
        src_ip: h.ipA,
        dest_ip: h.ipB,
        proto: 'ICMP',
        icmp_type: 8,
        in_iface: 'eth0',
        alert: { signature_id: 7 },
      });
  }, 30_000);
});
