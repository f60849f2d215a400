/**
 * The monitoring and capture functions through the facade, `eth0` mapped (`ifaceMap`) onto the
 * root side of a veth to a namespace this test creates; the traffic is five pings. Files are
 * read back with tshark.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiContext, callApi } from '../../src/api/index.js';
import { ErrorCodes } from '../../src/errors.js';
import { cleanupStaleNamespaces, freeSubnet24, isRoot, NetnsLab, run } from '../helpers/netns.js';
import { errorCode } from './helpers.js';

const execFileP = promisify(execFile);
const canRun = isRoot();
const lab = new NetnsLab();
const dir = mkdtempSync(path.join(os.tmpdir(), 'sentra-api-net-'));
let rootIf = '';
let peer = '';
let local = '';
let ctx: ApiContext;

// biome-ignore lint/suspicious/noExplicitAny: results are read field by field, as a script does
const call = (name: string, ...args: unknown[]): Promise<any> => callApi(ctx, name, args);

beforeAll(async () => {
  if (!canRun) return;
  await cleanupStaleNamespaces();
  const net = await freeSubnet24();
  const ns = await lab.ns('peer');
  rootIf = (await lab.veth({ ns, ifname: 'eth0', addr4: `${net}.2/24` }, { ns: null, addr4: `${net}.1/24` }))
    .b;
  peer = `${net}.2`;
  local = `${net}.1`;
  ctx = new ApiContext({ ifaceMap: new Map([['eth0', rootIf]]) });
  await new Promise((r) => setTimeout(r, 1000)); // the new link's own chatter first
}, 30_000);

afterAll(async () => {
  if (!canRun) return;
  await ctx.dispose();
  await lab.destroy();
  rmSync(dir, { recursive: true, force: true });
});

async function ping(n: number): Promise<void> {
  await run(['ping', '-n', '-q', '-c', String(n), '-i', '0.05', peer], { timeoutMs: 20_000 });
  await new Promise((r) => setTimeout(r, 400)); // the capture delivers within 100 ms
}

async function tshark(file: string, display: string, field: string): Promise<string[]> {
  const { stdout } = await execFileP('tshark', [
    '-n',
    '-r',
    file,
    '-Y',
    display,
    '-T',
    'fields',
    '-e',
    field,
  ]);
  return stdout.split('\n').filter((l) => l !== '');
}

const code = errorCode;

describe.skipIf(!canRun)('network_* through the facade', () => {
  it('monitors the mapped interface: bandwidth, protocols, talkers, flows, connections, pcap', async () => {
    const m = await call('network_start_monitor', 'eth0');
    expect(m).toMatchObject({ interface: rootIf, status: 'running' });
    expect(m.id).toMatch(/^monitor-\d+$/);
    await ping(5);
    const bw = await call('network_get_bandwidth', m.id);
    expect(bw.tx_packets).toBeGreaterThanOrEqual(5);
    expect(bw.rx_packets).toBeGreaterThanOrEqual(5);
    expect(bw.tx_bytes).toBeGreaterThanOrEqual(5 * 98);
    expect(bw.tx_mbps).toBeGreaterThan(0);
    expect((await call('network_get_protocols', m.id)).ICMP).toBe(10);
    const [top] = await call('network_get_top_talkers', m.id, 1);
    expect(top).toMatchObject({ src_ip: local, dst_ip: peer, protocol: 'ICMP', packets: 10, bytes: 10 * 98 });
    expect(await call('network_get_flows', m.id, 'icmp and host ' + peer)).toHaveLength(1);
    expect(await call('network_get_flows', m.id, 'tcp')).toEqual([]);
    expect(Array.isArray(await call('network_get_connections', m.id))).toBe(true);
    const file = path.join(dir, 'monitor.pcap');
    const saved = await call('network_export_pcap', m.id, file);
    expect(saved).toMatchObject({ id: m.id, filename: file });
    expect(await tshark(file, 'icmp', 'icmp.type')).toEqual([
      '8',
      '0',
      '8',
      '0',
      '8',
      '0',
      '8',
      '0',
      '8',
      '0',
    ]);
    expect(saved.packets).toBe((await tshark(file, 'frame', 'frame.number')).length);
    expect((await call('network_stop_monitor', m.id)).status).toBe('stopped');
    expect(await code(call('network_get_top_talkers', m.id, -1))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(await code(call('network_get_flows', m.id, 'bytes >'))).toBe(ErrorCodes.FILTER_SYNTAX);
  }, 30_000);

  it('captures with a filter, decodes, analyses a packet, saves a pcap tshark reads', async () => {
    const c = await call('capture_start', 'eth0', 'icmp');
    expect(c).toMatchObject({ interface: rootIf, filter: 'icmp', status: 'running' });
    expect(c.id).toMatch(/^capture-\d+$/);
    await ping(3);
    const packets = await call('capture_get_packets', c.id, 100);
    expect(packets.map((p: { src_ip: string; protocol: string }) => [p.src_ip, p.protocol])).toEqual([
      [local, 'ICMP'],
      [peer, 'ICMP'],
      [local, 'ICMP'],
      [peer, 'ICMP'],
      [local, 'ICMP'],
      [peer, 'ICMP'],
    ]);
    expect(await call('capture_get_packets', c.id, 2)).toEqual(packets.slice(4));
    const a = await call('capture_analyze_packet', packets[0]);
    expect(a).toMatchObject({ src_ip: local, dst_ip: peer, protocol: 'ICMP', length: 98 });
    expect(a.fields['icmp.type']).toBe('8');
    expect(a.layers).toContain('icmp');
    const file = path.join(dir, 'capture.pcap');
    expect(await call('capture_save_pcap', c.id, file)).toMatchObject({ packets: 6 });
    expect(await tshark(file, 'icmp', 'ip.src')).toEqual(packets.map((p: { src_ip: string }) => p.src_ip));
    const stopped = await call('capture_stop', c.id);
    expect(stopped).toMatchObject({ status: 'stopped', packets_captured: 6 });
    expect(await code(call('capture_analyze_packet', { data: 42 }))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(await code(call('capture_start', 'eth0', 'tcp port'))).toBe(ErrorCodes.FILTER_SYNTAX);
  }, 30_000);
});
