/**
 * The spec's ids.sn and usecase1_ids_autoblock.sn, run with `sentra run` inside the lab's
 * control namespace, whose `lan0` is the script's `eth0`: the IDS watches the control host
 * while an attacker namespace attacks a web server there for real (nmap, SQL injection and
 * command injection over HTTP). Both scripts check their alerts every 60 seconds; the tests run
 * copies where that pause is 2 seconds (nothing else changed), so that a bounded run sees
 * several rounds. What their comments promise is checked against the traffic and the kernel:
 * the alerts name the attacker, the critical / high ones get it banned, and the ban drops its
 * packets while another host still connects.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connects as connectsTo } from '../api/helpers.js';
import { isRoot } from '../helpers/netns.js';
import { ExampleLab, type RunningScript, until } from './lab.js';

const lab = new ExampleLab();
const canRun = isRoot();
const WEB_PORT = 80;

const connects = (ns: string, ip: string, port: number) => connectsTo(lab.lab, ns, ip, port);

/** A copy of the example with its 60 s pause shortened to 2 s. */
function quickCopy(name: string): string {
  const src = readFileSync(lab.example(name), 'utf8');
  expect(src).toContain('sleep(60)');
  const file = path.join(lab.dir, name);
  writeFileSync(file, src.replace('sleep(60)', 'sleep(2)'));
  return file;
}

/** Runs curl in the attacker's namespace against the control host's web server. */
async function attack(pathAndQuery: string): Promise<void> {
  await lab.lab.exec(lab.host('attacker').ns, [
    'curl',
    '-s',
    '-o',
    '/dev/null',
    '--max-time',
    '5',
    `http://${lab.ctl.ip}:${WEB_PORT}${pathAndQuery}`,
  ]);
}

async function started(run: RunningScript, marker: RegExp): Promise<void> {
  const out = await until(run.output, (o) => marker.test(o), 30_000);
  expect(out).toMatch(marker);
  // the capture is open once ids_start returned; give libpcap a moment to attach its filter
  await new Promise((r) => setTimeout(r, 1000));
}

beforeAll(async () => {
  if (!canRun) return;
  await lab.startLab([
    { name: 'attacker', octet: 66 },
    { name: 'peer', octet: 20 },
  ]);
  await lab.namedHttp(lab.ctl, WEB_PORT);
}, 60_000);

afterEach(async () => {
  // unban: each script starts from an empty ruleset and a fresh firewall store
  if (canRun && lab.ctl.ns) await lab.inCtl(['nft', 'flush', 'ruleset']);
  rmSync(path.join(lab.dir, 'home'), { recursive: true, force: true });
});

afterAll(async () => {
  if (canRun) await lab.destroy();
});

describe.skipIf(!canRun)('ids.sn', () => {
  it('reports the attacks with the attacker as source and blocks the critical one', async () => {
    const attacker = lab.host('attacker');
    const peer = lab.host('peer');
    expect(await connects(attacker.ns, lab.ctl.ip, WEB_PORT)).toBe(true);
    const run = lab.launch(quickCopy('ids.sn'), 40);
    await started(run, /IDS started: ids-\d+/);

    await attack("/products?id=1'%20OR%20'1'='1");
    await attack('/cgi-bin/ping?host=127.0.0.1;cat%20/etc/passwd');
    const out = await until(run.output, (o) => o.includes('BLOCKED threat'), 20_000);
    const result = await run.done;
    // the scripts loop forever: --timeout ends them, and that is all they report on stderr
    expect(result.stderr.trim()).toMatch(
      /^sentra: script stopped by --timeout after 40 s \[SENTRA_ERR_TIMEOUT\]$/,
    );
    expect(out).toMatch(/^IDS started: ids-1$/m);

    // the high and critical alerts, each with the attacker as source and a real time
    const alerts = [
      ...result.stdout.matchAll(/ALERT: (.+)\n\s+Severity: (\w+)\n\s+Source: (\S+)\n\s+Time: (.+)/g),
    ];
    expect(alerts.length).toBeGreaterThanOrEqual(2);
    for (const a of alerts) {
      expect(['high', 'critical']).toContain(a[2]);
      expect(a[3]).toBe(attacker.ip);
      expect(Number.isNaN(Date.parse(a[4]))).toBe(false);
    }
    const kinds = alerts.map((a) => `${a[2]} ${a[1]}`);
    expect(kinds.some((k) => /^high .*SQL injection/i.test(k))).toBe(true);
    expect(kinds.some((k) => /^critical .*command injection/i.test(k))).toBe(true);
    // the critical one was blocked (the script blocks critical threats only)
    const blocked = [...result.stdout.matchAll(/BLOCKED threat: (alert-\d+)/g)].map((m) => m[1]);
    expect(blocked.length).toBeGreaterThanOrEqual(1);

    // the kernel drops the attacker now; the peer still reaches the web server
    const { stdout: ruleset } = await lab.inCtl(['nft', 'list', 'ruleset']);
    expect(ruleset).toContain(attacker.ip);
    expect(await connects(attacker.ns, lab.ctl.ip, WEB_PORT)).toBe(false);
    expect(await connects(peer.ns, lab.ctl.ip, WEB_PORT)).toBe(true);
  }, 120_000);
});

describe.skipIf(!canRun)('usecase1_ids_autoblock.sn', () => {
  it('lists every alert with severity and protocol, blocks high ones, and counts packets', async () => {
    const attacker = lab.host('attacker');
    const peer = lab.host('peer');
    expect(await connects(attacker.ns, lab.ctl.ip, WEB_PORT)).toBe(true);
    const run = lab.launch(quickCopy('usecase1_ids_autoblock.sn'), 40);
    await started(run, /Packets analyzed: \d+/);

    // a bounded SYN scan of 200 ports of the control host, then an SQL injection
    await lab.lab.exec(
      attacker.ns,
      ['nmap', '-sS', '-n', '-Pn', '-p', '1-200', '--max-retries', '0', lab.ctl.ip],
      {
        timeoutMs: 60_000,
      },
    );
    await attack("/login?user=admin'%20UNION%20SELECT%20password%20FROM%20users--");
    await until(run.output, (o) => o.includes('BLOCKED IP'), 20_000);
    const result = await run.done;
    expect(result.stderr.trim()).toMatch(
      /^sentra: script stopped by --timeout after 40 s \[SENTRA_ERR_TIMEOUT\]$/,
    );

    const alerts = [...result.stdout.matchAll(/\[(\w+)\] (.+)\n\s+Source: (\S+)\n\s+Protocol: (\S+)/g)];
    expect(alerts.length).toBeGreaterThanOrEqual(2);
    for (const a of alerts) {
      expect(a[3]).toBe(attacker.ip);
      expect(a[4]).toBe('TCP');
    }
    expect(alerts.some((a) => a[1] === 'medium' && /scan/i.test(a[2]))).toBe(true);
    expect(alerts.some((a) => a[1] === 'high' && /SQL injection/i.test(a[2]))).toBe(true);
    expect(result.stdout).toContain(`BLOCKED IP: ${attacker.ip}`);

    // the statistics grow with the traffic: the last round counts more packets than the first
    const analyzed = [...result.stdout.matchAll(/Packets analyzed: (\d+)/g)].map((m) => Number(m[1]));
    const generated = [...result.stdout.matchAll(/Alerts generated: (\d+)/g)].map((m) => Number(m[1]));
    expect(analyzed.length).toBeGreaterThanOrEqual(2);
    expect(analyzed[analyzed.length - 1]).toBeGreaterThan(200);
    expect(generated[generated.length - 1]).toBeGreaterThanOrEqual(alerts.length > 0 ? 2 : 0);
    expect(result.stdout).toMatch(/Threats blocked: \d+/);

    // firewall_block_ip banned the attacker in the control namespace's kernel
    expect(await connects(attacker.ns, lab.ctl.ip, WEB_PORT)).toBe(false);
    expect(await connects(peer.ns, lab.ctl.ip, WEB_PORT)).toBe(true);
  }, 150_000);
});
