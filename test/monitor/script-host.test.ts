/**
 * The spec's example script packet_capture.sn (sleep shortened, filter set to the test's
 * ICMP traffic, file name in a temporary folder) and a monitoring script, run through the
 * interpreter with `networkScriptHost`, `eth0` mapped onto a veth this test created.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript } from '../../src/lang/index.js';
import { networkScriptHost } from '../../src/monitor/index.js';
import { sharedPath } from '../helpers/corpus.js';
import { cleanupStaleNamespaces, freeSubnet24, NetnsLab, run } from '../helpers/netns.js';

const lab = new NetnsLab();
let rootIf = '';
let peer = '';
let tmp = '';

beforeAll(async () => {
  await cleanupStaleNamespaces();
  const net = await freeSubnet24();
  const ns = await lab.ns('peer');
  rootIf = (await lab.veth({ ns, ifname: 'eth0', addr4: `${net}.2/24` }, { ns: null, addr4: `${net}.1/24` }))
    .b;
  peer = `${net}.2`;
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sentra-script-'));
});

afterAll(async () => {
  await lab.destroy();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function runWithTraffic(source: string): Promise<string> {
  let out = '';
  const script = runScript({
    source,
    file: 'test.sn',
    hosts: [networkScriptHost],
    ifaceMap: new Map([['eth0', rootIf]]),
    write: (t) => {
      out += t;
    },
  });
  await new Promise((r) => setTimeout(r, 700));
  await run(['ping', '-c', '5', '-i', '0.05', peer], { timeoutMs: 20_000 });
  const r = await script;
  expect(r.exitCode).toBe(0);
  return out;
}

describe('Sentra scripts', () => {
  it('runs the spec example packet_capture.sn', async () => {
    const file = path.join(tmp, 'traffic_dump.pcap');
    const source = readFileSync(sharedPath('sentra-examples', 'packet_capture.sn'), 'utf8')
      .replace('sleep(30)', 'sleep(3)')
      .replace('"tcp port 80 or tcp port 443"', '"icmp"')
      .replace('"traffic_dump.pcap"', JSON.stringify(file));
    const out = await runWithTraffic(source);
    expect(out).toMatch(/Capture started: capture-\d+/);
    expect(out).toContain('Captured 10 packets');
    expect(out.match(/Protocol: ICMP/g)?.length).toBe(10);
    expect(out).toContain(`Packet: ${peer}:0 -> `);
    const { stdout } = await run(['tshark', '-n', '-r', file, '-T', 'fields', '-e', 'icmp.type']);
    expect(stdout.trim().split('\n').sort()).toEqual([...Array(5).fill('0'), ...Array(5).fill('8')]);
  }, 30_000);

  it('network_* functions from a script', async () => {
    const out = await runWithTraffic(`
      let m = network_start_monitor("eth0")
      sleep(3)
      let bw = network_get_bandwidth(m.id)
      log("tx_packets " + str(bw.tx_packets))
      let p = network_get_protocols(m.id)
      log("ICMP " + str(p.ICMP))
      let t = network_get_top_talkers(m.id, 5)
      log("top " + t[0].src_ip + " " + t[0].protocol + " " + str(t[0].packets))
      log("flows " + str(len(network_get_flows(m.id, "icmp"))))
      network_stop_monitor(m.id)
    `);
    expect(Number(/tx_packets (\d+)/.exec(out)?.[1])).toBeGreaterThanOrEqual(5);
    expect(out).toContain('ICMP 10');
    expect(out).toMatch(/top \S+ ICMP 10/);
    expect(out).toContain('flows 1');
  }, 30_000);
});
