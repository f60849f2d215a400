/**
 * The HTTP API against a daemon on a random port with a temporary data directory: auth,
 * errors, OpenAPI, capture upload and analysis (packet counts from tshark), alert filters and
 * paging, EVE ingest, bans, the spec's functions through the facade, metrics, SSE, the
 * watched folder.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_FUNCTIONS } from '../../src/api/index.js';
import { demoCapturePath } from '../../src/daemon/demo.js';
import { eveAlert, startTestDaemon, type TestDaemon, until } from './helpers.js';

let t: TestDaemon;

function tshark(file: string, filter: string): number {
  const out = execFileSync('tshark', ['-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.number'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return out.split('\n').filter((l) => l.trim() !== '').length;
}

beforeAll(async () => {
  t = await startTestDaemon();
});

afterAll(async () => {
  await t?.stop();
});

describe('daemon API: access and errors', () => {
  it('answers /api/health without a token and refuses the API without one', async () => {
    const h = await fetch(`${t.url}/api/health`);
    expect(h.status).toBe(200);
    expect(((await h.json()) as { status: string }).status).toBe('ok');
    const noToken = await fetch(`${t.url}/api/alerts`);
    expect(noToken.status).toBe(401);
    expect(((await noToken.json()) as { error: { code: string } }).error.code).toBe(
      'SENTRA_ERR_UNAUTHORIZED',
    );
    const wrong = await fetch(`${t.url}/api/alerts`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const metrics = await fetch(`${t.url}/metrics`);
    expect(metrics.status).toBe(401);
  });

  it('stores the token with mode 0600', () => {
    const st = statSync(path.join(t.dir, 'token'));
    expect(st.mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(t.dir, 'token'), 'utf8').trim()).toBe(t.token);
  });

  it('answers errors as JSON with the library codes', async () => {
    const bad = await t.call('GET', '/api/alerts?severity=extreme');
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('SENTRA_ERR_INVALID_ARGUMENT');
    expect(bad.json.error.message).toContain('severity');
    const missing = await t.call('GET', '/api/alerts/999999');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('SENTRA_ERR_NOT_FOUND');
    const route = await t.call('GET', '/api/nothing');
    expect(route.json.error.code).toBe('SENTRA_ERR_NOT_FOUND');
    const res = await fetch(`${t.url}/api/bans`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'SENTRA_ERR_INVALID_ARGUMENT',
    );
    const badIp = await t.call('POST', '/api/bans', { ip: '300.1.1.1' });
    expect(badIp.status).toBe(400);
    expect(badIp.json.error.code).toMatch(/^SENTRA_ERR_INVALID_(IP|CIDR)$/);
  });

  it('serves an OpenAPI document listing the routes and every spec function', async () => {
    const res = await fetch(`${t.url}/api/openapi.json`);
    const doc = (await res.json()) as any;
    expect(doc.openapi).toBe('3.1.0');
    for (const p of [
      '/api/alerts',
      '/api/alerts/{id}',
      '/api/flows',
      '/api/bans',
      '/api/bans/{target}',
      '/api/captures',
      '/api/scans',
      '/metrics',
    ]) {
      expect(doc.paths[p], p).toBeDefined();
    }
    for (const name of Object.keys(API_FUNCTIONS))
      expect(doc.paths[`/api/functions/${name}`], name).toBeDefined();
    expect(doc.paths['/api/alerts'].get.parameters.map((p: { name: string }) => p.name)).toContain(
      'severity',
    );
  });
});

describe('daemon API: captures, flows, alerts', () => {
  let jobId: string;
  const demo = demoCapturePath();

  it('analyses an uploaded capture: packet count as tshark counts it', async () => {
    const up = await t.call('POST', '/api/captures?name=demo.pcap', new Uint8Array(readFileSync(demo)));
    expect(up.status).toBe(200);
    jobId = up.json.id;
    const job = await until(async () => {
      const j = (await t.call('GET', `/api/captures/${jobId}`)).json;
      return j.status === 'done' || j.status === 'failed' ? j : null;
    });
    expect(job.error).toBeNull();
    expect(job.packets).toBe(tshark(demo, 'frame'));
    expect(job.origin).toBe('upload');
  });

  it('stores the flows of the capture: their packets add up to the IP packets tshark sees', async () => {
    const job = (await t.call('GET', `/api/captures/${jobId}`)).json;
    expect(job.flows).toBeGreaterThan(0);
    const capture = `${job.name}#${jobId.slice(4)}`;
    let packets = 0;
    let total = 0;
    for (let offset = 0; ; offset += 1000) {
      const page = (
        await t.call('GET', `/api/flows?capture=${encodeURIComponent(capture)}&limit=1000&offset=${offset}`)
      ).json;
      total = page.total;
      for (const f of page.flows) packets += f.bidirectional_packets;
      if (page.flows.length < 1000) break;
    }
    expect(total).toBe(job.flows);
    expect(packets).toBe(tshark(demo, 'ip'));
  });

  it('raises the ICMP echo alert once per echo request tshark sees', async () => {
    const page = (await t.call('GET', '/api/alerts?signature_id=9100010&limit=1000')).json;
    expect(page.total).toBe(tshark(demo, 'icmp.type == 8'));
    for (const a of page.alerts) {
      expect(a.eve.event_type).toBe('alert');
      expect(a.eve.icmp_type).toBe(8);
      expect(a.severity_word).toBe('low');
      expect(a.source).toBe('signature');
    }
  });

  it('rejects a file that is not a capture, keeping the job with the error', async () => {
    const up = await t.call(
      'POST',
      '/api/captures?name=junk.pcap',
      new Uint8Array(Buffer.from('not a pcap at all, sorry')),
    );
    const job = await until(async () => {
      const j = (await t.call('GET', `/api/captures/${up.json.id}`)).json;
      return j.status === 'failed' ? j : null;
    });
    expect(job.error.code).toBe('SENTRA_ERR_PCAP_BAD_MAGIC');
    const empty = await t.call('POST', '/api/captures', new Uint8Array(0));
    expect(empty.status).toBe(400);
  });

  it('ingests EVE records from any source, all or nothing, into the store and the EVE file', async () => {
    const before = (await t.call('GET', '/api/alerts?source=sensor-b')).json.total;
    const bad = await t.call('POST', '/api/alerts?source=sensor-b', [eveAlert(1), { event_type: 'flow' }]);
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain('record 1');
    expect((await t.call('GET', '/api/alerts?source=sensor-b')).json.total).toBe(before);
    const recs = Array.from({ length: 30 }, (_, i) => eveAlert(i, {}, (i % 3) + 1));
    const ok = await t.call('POST', '/api/alerts?source=sensor-b', recs);
    expect(ok.json).toEqual({ accepted: 30, committed: 30 });
    const eveLines = readFileSync(path.join(t.dir, 'eve.json'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    const sigs = new Set(eveLines.map((r) => r.alert.signature));
    for (const r of recs) expect(sigs.has((r.alert as { signature: string }).signature)).toBe(true);
  });

  it('filters by severity and source and pages without gaps or repeats', async () => {
    const all = (await t.call('GET', '/api/alerts?source=sensor-b&limit=1000')).json;
    expect(all.total).toBe(30);
    const high = (await t.call('GET', '/api/alerts?source=sensor-b&severity=high&limit=1000')).json;
    expect(high.total).toBe(10);
    expect(
      high.alerts.every(
        (a: { severity_word: string; eve: { alert: { severity: number } } }) =>
          a.severity_word === 'high' && a.eve.alert.severity === 1,
      ),
    ).toBe(true);
    const two = (await t.call('GET', '/api/alerts?source=sensor-b&severity=high,low&limit=1000')).json;
    expect(two.total).toBe(20);
    const seen: number[] = [];
    let before: number | undefined;
    for (;;) {
      const page = (
        await t.call('GET', `/api/alerts?source=sensor-b&limit=7${before ? `&before_id=${before}` : ''}`)
      ).json;
      if (page.alerts.length === 0) break;
      seen.push(...page.alerts.map((a: { id: number }) => a.id));
      before = page.alerts[page.alerts.length - 1].id;
    }
    expect(seen).toEqual(all.alerts.map((a: { id: number }) => a.id));
    const byOffset = (await t.call('GET', '/api/alerts?source=sensor-b&limit=5&offset=5')).json;
    expect(byOffset.alerts.map((a: { id: number }) => a.id)).toEqual(seen.slice(5, 10));
    const text = (await t.call('GET', '/api/alerts?q=TEST%20alert%2017')).json;
    expect(text.alerts.map((a: { signature: string }) => a.signature)).toEqual(['TEST alert 17']);
  });

  it('takes captures dropped into the watched folder', async () => {
    copyFileSync(demo, path.join(t.dir, 'inbox', 'dropped.pcap'));
    const job = await until(async () => {
      const list = (await t.call('GET', '/api/captures')).json.captures;
      const j = list.find(
        (c: { name: string; status: string }) => c.name === 'dropped.pcap' && c.status === 'done',
      );
      return j ?? null;
    });
    expect(job.origin).toBe('watch');
    expect(job.packets).toBe(tshark(demo, 'frame'));
  });
});

describe('daemon API: firewall, functions, proxies, metrics, events', () => {
  it('bans and unbans with remaining time', async () => {
    const b = await t.call('POST', '/api/bans', { ip: '192.0.2.7', duration: '10m', reason: 'test' });
    expect(b.status).toBe(200);
    expect(b.json.src_ip).toBe('192.0.2.7');
    const list = (await t.call('GET', '/api/bans')).json.bans;
    const ban = list.find((x: { src_ip: string }) => x.src_ip === '192.0.2.7');
    expect(ban.time_remaining).toBeGreaterThan(590);
    expect(ban.time_remaining).toBeLessThanOrEqual(600);
    const del = await t.call('DELETE', '/api/bans/192.0.2.7');
    expect(del.json.removed).toHaveLength(1);
    expect((await t.call('DELETE', '/api/bans/192.0.2.7')).status).toBe(404);
  });

  it("calls the spec's functions through the facade, sharing the daemon's firewall", async () => {
    const fns = (await t.call('GET', '/api/functions')).json.functions.map((f: { name: string }) => f.name);
    expect(fns).toEqual(Object.keys(API_FUNCTIONS));
    const r = await t.call('POST', '/api/functions/firewall_block_ip', { ipAddress: '198.51.100.9' });
    expect(r.status).toBe(200);
    expect(r.json.result.src_ip).toBe('198.51.100.9');
    const bans = (await t.call('GET', '/api/bans')).json.bans.map((x: { src_ip: string }) => x.src_ip);
    expect(bans).toContain('198.51.100.9');
    const pos = await t.call('POST', '/api/functions/firewall_allow_ip', { args: ['203.0.113.4'] });
    expect(pos.json.result.kind).toBe('allow');
    const unknown = await t.call('POST', '/api/functions/firewall_block_ip', { ip: '1.2.3.4' });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toContain('ipAddress');
  });

  it('shows load-balancer backends with health and exports them as metrics', async () => {
    const backend = http.createServer((_q, s) => s.end('ok'));
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    const port = (backend.address() as { port: number }).port;
    try {
      const lb = await t.call('POST', '/api/functions/reverse_proxy_create', {
        port: 0,
        backends: [{ url: `http://127.0.0.1:${port}`, weight: 1 }],
        loadBalancing: 'round_robin',
      });
      expect(lb.status, JSON.stringify(lb.json)).toBe(200);
      const lbPort = lb.json.result.port;
      for (let i = 0; i < 3; i++)
        expect(await (await fetch(`http://127.0.0.1:${lbPort}/`)).text()).toBe('ok');
      const px = (await t.call('GET', '/api/proxies')).json;
      const mine = px.reverse.find((r: { port: number }) => r.port === lbPort);
      expect(mine.backends[0].healthy).toBe(true);
      expect(mine.backends[0].requests).toBe(3);
      const m = (await t.call('GET', '/metrics')).json as string;
      expect(m).toMatch(
        new RegExp(`sentra_backend_up\\{proxy="${mine.id}",backend="http://127.0.0.1:${port}"\\} 1`),
      );
      expect(m).toMatch(new RegExp(`sentra_proxy_requests\\{proxy="${mine.id}",kind="reverse"\\} 3`));
    } finally {
      await new Promise((r) => backend.close(r));
    }
  });

  it('runs a port scan in the background and stores its result', async () => {
    const open = http.createServer();
    await new Promise<void>((r) => open.listen(0, '127.0.0.1', r));
    const openPort = (open.address() as { port: number }).port;
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    try {
      const start = await t.call('POST', '/api/scans', {
        kind: 'ports',
        target: '127.0.0.1',
        ports: `${openPort},${closedPort}`,
      });
      expect(start.status).toBe(200);
      const done = await until(async () => {
        const r = (await t.call('GET', `/api/scans/${start.json.id}`)).json;
        return r.status === 'done' || r.status === 'failed' ? r : null;
      });
      expect(done.error).toBeNull();
      expect(done.result.open_ports).toEqual([openPort]);
      expect(done.result.closed).toBe(1);
      expect(done.done).toBe(done.total);
      expect((await t.call('GET', '/api/scans')).json.scans[0].id).toBe(start.json.id);
      const bad = await t.call('POST', '/api/scans', { kind: 'teleport', target: 'x' });
      expect(bad.status).toBe(400);
      expect(bad.json.error.details.key).toBe('kind');
    } finally {
      await new Promise((r) => open.close(r));
    }
  });

  it('exports packets, flows, alerts by severity and bans at /metrics', async () => {
    const status = (await t.call('GET', '/api/status')).json;
    const m = (await t.call('GET', '/metrics')).json as string;
    const val = (re: RegExp) => Number(re.exec(m)?.[1]);
    expect(val(/^sentra_packets_total (\d+)/m)).toBe(status.packets);
    expect(val(/^sentra_flows_ended_total (\d+)/m)).toBe(status.flows_ended);
    expect(val(/^sentra_alerts_total\{severity="high",source="sensor-b"\} (\d+)/m)).toBe(10);
    expect(val(/^sentra_bans_active (\d+)/m)).toBe((await t.call('GET', '/api/bans')).json.bans.length);
    expect(m).toContain('sentra_process_resident_memory_bytes');
  });

  it('streams stats and new alerts as server-sent events', async () => {
    const ac = new AbortController();
    const res = await fetch(`${t.url}/api/events`, {
      headers: { authorization: `Bearer ${t.token}` },
      signal: ac.signal,
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const read = async (what: string) => {
      while (!text.includes(what)) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += Buffer.from(value).toString('utf8');
      }
    };
    await read('event: stats');
    await t.call('POST', '/api/alerts?source=sse-test', [eveAlert(999)]);
    await read('event: alerts');
    expect(text).toContain('"source":"sse-test"');
    ac.abort();
  });
});
