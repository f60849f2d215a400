/**
 * `sentra top` drawn in a real terminal (tmux): the pane shows the live numbers — the kernel's
 * byte counter, the protocol counts and the top talker of traffic sent in a namespace — and
 * Ctrl-C ends it. `--json` snapshots checked against tshark's view of the same traffic.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPcapFile, startTcpdump, type TwoHosts, twoHosts } from '../capture/lab.js';
import { CLI } from '../helpers/cli.js';
import { cleanupStaleNamespaces, NetnsLab, run, waitFor } from '../helpers/netns.js';

const lab = new NetnsLab();
let h: TwoHosts;
const session = `snt-top-${process.pid}-${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  await cleanupStaleNamespaces();
  h = await twoHosts(lab);
  lab.spawn(h.b, ['socat', '-u', 'TCP-LISTEN:5001,reuseaddr,fork', 'OPEN:/dev/null']);
  await waitFor(
    async () => (await lab.exec(h.b, ['ss', '-tln'])).stdout.includes(':5001 '),
    10_000,
    'listener',
  );
});

afterAll(async () => {
  await run(['tmux', 'kill-session', '-t', session]).catch(() => undefined);
  await lab.destroy();
});

async function rxBytes(ns: string): Promise<number> {
  const j = JSON.parse((await run(['ip', '-n', ns, '-j', '-s', 'link', 'show', 'dev', 'eth0'])).stdout);
  return j[0].stats64.rx.bytes as number;
}

const pane = async () => (await run(['tmux', 'capture-pane', '-p', '-t', session])).stdout;

describe('sentra top', () => {
  it('draws live bandwidth, protocols and top talkers in tmux and exits on Ctrl-C', async () => {
    const before = await rxBytes(h.b);
    await run([
      'tmux',
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '160',
      '-y',
      '50',
      process.execPath,
      CLI,
      'top',
      '-i',
      'eth0',
      '--netns',
      h.b,
      '-f',
      'ip',
      '--interval',
      '0.3',
    ]);
    await waitFor(async () => (await pane()).includes('sentra top - eth0'), 15_000, 'first frame');
    await lab.exec(h.a, ['ping', '-c', '12', '-i', '0.01', h.ipB], { timeoutMs: 20_000 });
    await lab.exec(h.a, ['sh', '-c', `head -c 3000000 /dev/zero | socat -u - TCP:${h.ipB}:5001`], {
      timeoutMs: 30_000,
    });
    // the kernel's counter delta (3 MB and the pings) appears on screen
    let screen = '';
    await waitFor(
      async () => {
        screen = await pane();
        const m = /rx_bytes (\d+)/.exec(screen);
        // top's baseline is taken a moment after `before`: a neighbour solicitation may fall between
        const d = (await rxBytes(h.b)) - before;
        return m !== null && Number(m[1]) >= 3_000_000 && Math.abs(Number(m[1]) - d) <= 2000;
      },
      15_000,
      'rx_bytes on screen to match the kernel counter delta',
    );
    expect(screen).toMatch(/ICMP\s+24\s/);
    const top1 = screen.split('\n').find((l) => /^\s+1\. /.test(l));
    expect(top1).toContain(`${h.ipA}:`);
    expect(top1).toContain(`${h.ipB}:5001`);
    expect(top1).toContain('TCP');
    expect(screen).toContain('CONNECTIONS');
    await run(['tmux', 'send-keys', '-t', session, 'C-c']);
    await waitFor(
      async () => {
        try {
          await run(['tmux', 'has-session', '-t', session]);
          return false;
        } catch {
          return true; // the program ended, so did the session
        }
      },
      10_000,
      'top to exit',
    );
  }, 60_000);

  it('--json prints snapshots whose counts agree with tshark', async () => {
    const file = `/tmp/${session}.pcap`;
    const td = await startTcpdump(lab, h.b, 'eth0', 'ip', file, ['-s', '128']);
    const child = spawn(
      process.execPath,
      [
        CLI,
        'top',
        '-i',
        'eth0',
        '--netns',
        h.b,
        '-f',
        'ip',
        '--interval',
        '0.5',
        '--duration',
        '5',
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    // traffic only once the first snapshot shows the monitor is capturing
    await waitFor(() => out.includes('\n'), 15_000, 'first snapshot');
    await lab.exec(h.a, ['ping', '-c', '10', '-i', '0.01', h.ipB], { timeoutMs: 20_000 });
    await lab.exec(h.a, ['sh', '-c', `head -c 500000 /dev/zero | socat -u - TCP:${h.ipB}:5001`], {
      timeoutMs: 30_000,
    });
    const code = await exited;
    await td.stop();
    expect(code).toBe(0);
    const snaps = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(snaps.length).toBeGreaterThanOrEqual(4);
    const last = snaps[snaps.length - 1];
    const pk = readPcapFile(file).packets.length;
    await run(['rm', '-f', file]);
    expect(last.protocols.ICMP).toBe(20);
    expect(last.protocols.total).toBe(pk);
    expect(last.top_talkers[0].dst_port).toBe(5001);
    expect(last.bandwidth.rx_bytes).toBeGreaterThanOrEqual(500_000);
  }, 60_000);
});
