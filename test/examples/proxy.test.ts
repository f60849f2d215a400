/**
 * The spec's proxy scripts run with `sentra run` in the lab's control namespace: proxy.sn (a
 * forward proxy chained to a real upstream, tinyproxy, on the lab host the script's
 * `upstream-proxy` maps to), reverse_proxy.sn (four lab backends) and
 * usecase2_load_balancer.sn (three backends, one of them down). The backends count what they
 * served; the scripts' printed counters must equal those counts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot } from '../helpers/netns.js';
import { ExampleLab, sleep, until } from './lab.js';

const lab = new ExampleLab();
const canRun = isRoot();
const BACKENDS = ['backend1', 'backend2', 'backend3', 'backend4'];
const WEBS = ['web1', 'web2', 'web3'];

beforeAll(async () => {
  if (!canRun) return;
  await lab.startLab([
    { name: 'upstream', octet: 30 },
    { name: 'web', octet: 40 },
    ...BACKENDS.map((name, i) => ({ name, octet: 41 + i })),
    ...WEBS.map((name, i) => ({ name, octet: 51 + i })),
  ]);
  const up = lab.host('upstream');
  const conf = lab.file(
    'tinyproxy.conf',
    `Port 3128\nListen ${up.ip}\nAllow ${lab.net}.0/24\nTimeout 30\nMaxClients 20\nLogLevel Info\nLogFile "${path.join(lab.dir, 'tinyproxy.log')}"\nPidFile "${path.join(lab.dir, 'tinyproxy.pid')}"\nViaProxyName "labupstream"\n`,
  );
  lab.lab.spawn(up.ns, ['tinyproxy', '-d', '-c', conf]);
  await lab.waitPort(up.ip, 3128);
  await lab.namedHttp(lab.host('web'), 80);
  for (const b of BACKENDS) await lab.namedHttp(lab.host(b), 8080);
  // web3 stays down: the load balancer must find it unhealthy
  for (const w of WEBS.slice(0, 2)) await lab.namedHttp(lab.host(w), 8080);
}, 90_000);

afterAll(async () => {
  if (canRun) await lab.destroy();
});

/** The target-map entries naming the scripts' hosts. */
function names(hosts: string[]): string[] {
  return hosts.map((h) => `${h === 'upstream' ? 'upstream-proxy' : h}=${lab.host(h).ip}`);
}

/** A copy of an example with `sleep(s)` inserted before the line containing `marker`. */
function withPause(example: string, marker: string, seconds: number): string {
  const src = readFileSync(lab.example(example), 'utf8');
  expect(src).toContain(marker);
  const file = path.join(lab.dir, `paused-${example}`);
  writeFileSync(file, src.replace(marker, `sleep(${seconds})\n${marker}`));
  return file;
}

/** `n` requests from the control namespace; returns curl's own byte counts. */
async function requests(url: string, n: number, proxy?: string): Promise<{ sent: number; received: number }> {
  let sent = 0;
  let received = 0;
  for (let i = 0; i < n; i++) {
    const { stdout } = await lab.inCtl([
      'curl',
      '-s',
      '-o',
      '/dev/null',
      '--max-time',
      '5',
      ...(proxy ? ['-x', proxy] : []),
      '-w',
      '%{http_code} %{size_request} %{size_header} %{size_download}',
      `${url}${i}`,
    ]);
    const [code, req, head, body] = stdout.split(' ').map(Number);
    expect(code).toBe(200);
    sent += req;
    received += head + body;
  }
  return { sent, received };
}

describe.skipIf(!canRun)('proxy examples', () => {
  it('proxy.sn: starts on 8080, chains to upstream-proxy:3128, reports zero traffic, stops', async () => {
    const r = await lab.runScript(lab.example('proxy.sn'), 30, [
      '--target-map',
      names(['upstream']).join(','),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^Proxy started: proxy-\d+$/),
      'Total requests: 0',
      'Blocked: 0',
      'Bytes in: 0',
      'Bytes out: 0',
    ]);
    // proxy_stop really stopped it: nothing listens on 8080 any more
    await expect(lab.inCtl(['curl', '-s', '--max-time', '2', 'http://127.0.0.1:8080/'])).rejects.toThrow();
  }, 60_000);

  it('proxy.sn with a pause before the statistics: requests go through the chain and are counted', async () => {
    const file = withPause('proxy.sn', '// Get statistics', 4);
    const script = lab.start(file, 30, ['--target-map', names(['upstream']).join(',')]);
    await until(script.output, (o) => o.includes('Proxy started'), 10_000);
    await sleep(300);
    const web = lab.host('web');
    const curl = await requests(`http://${web.ip}/req`, 3, 'http://127.0.0.1:8080');
    const r = await script.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Total requests: 3\nBlocked: 0\n');
    expect(r.stdout).toContain(`Bytes in: ${curl.sent}\n`);
    expect(r.stdout).toContain(`Bytes out: ${curl.received}\n`);
    // the web server got them from the upstream proxy, not from the control host
    const served = await lab.served(web, 80);
    expect(served.count).toBe(3);
    expect(served.clients).toEqual([lab.host('upstream').ip]);
    expect(served.via.join()).toContain('labupstream');
  }, 60_000);

  it('reverse_proxy.sn: four lab backends, healthy, and requests spread by weight', async () => {
    const file = withPause('reverse_proxy.sn', '// Check backend health', 4);
    const script = lab.start(file, 30, ['--target-map', names(BACKENDS).join(',')]);
    await until(script.output, (o) => o.includes('Reverse proxy started'), 10_000);
    await sleep(300);
    await requests('http://127.0.0.1:80/req', 10);
    const r = await script.done;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Reverse proxy started: rproxy-\d+\n/);
    let total = 0;
    for (const b of BACKENDS) {
      const h = lab.host(b);
      const served = await lab.served(h, 8080);
      expect(r.stdout).toContain(
        `http://${h.ip}:8080 - Healthy: true\n  Requests: ${served.count}\n  Errors: 0\n`,
      );
      expect(served.count, b).toBeGreaterThan(0);
      total += served.count;
    }
    expect(total).toBe(10);
    // least_connections breaks ties by weight: backend2 (weight 2) serves twice as many
    expect((await lab.served(lab.host('backend2'), 8080)).count).toBe(4);
  }, 60_000);

  it('usecase2_load_balancer.sn: spreads requests over web1 and web2, finds web3 down and removes it', async () => {
    const script = lab.start(lab.example('usecase2_load_balancer.sn'), 34, [
      '--target-map',
      names(WEBS).join(','),
    ]);
    await until(script.output, (o) => o.includes('Load balancer started'), 10_000);
    // three failed health checks (every 5 s) mark web3 down; then the requests
    await sleep(16_000);
    await requests('http://127.0.0.1:80/req', 20);
    const r = await script.done;
    expect(r.code).toBe(124); // the health loop runs until --timeout
    const rounds = r.stdout.split('=== Load Balancer Health ===').slice(1);
    expect(rounds.length).toBe(2);
    // round 1, right after the start: nothing served yet
    expect(rounds[0]).toContain('Total requests: 0\nTotal errors: 0\n');
    // round 2, 30 s later: the 20 requests, split between web1 and web2 by what they served
    const [s1, s2] = [await lab.served(lab.host('web1'), 8080), await lab.served(lab.host('web2'), 8080)];
    expect(s1.count + s2.count).toBe(20);
    expect(s1.count).toBeGreaterThan(0);
    expect(s2.count).toBeGreaterThan(0);
    expect(rounds[1]).toContain('Total requests: 20\nTotal errors: 0\nActive backends: 2\n');
    const block = (name: string) =>
      rounds[1].split('\nBackend: ').find((b) => b.startsWith(`http://${lab.host(name).ip}:8080`)) ?? '';
    expect(block('web1')).toContain(`Healthy: true\n  Requests: ${s1.count}\n  Errors: 0\n`);
    expect(block('web2')).toContain(`Healthy: true\n  Requests: ${s2.count}\n  Errors: 0\n`);
    expect(block('web3')).toContain('Healthy: false\n  Requests: 0\n');
    expect(block('web3')).toContain('WARNING: Backend unhealthy, removing...');
  }, 90_000);
});
