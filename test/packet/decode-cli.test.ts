/** `sentra decode`, run as users run it (the built CLI in a child process). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DECODE_FIELDS } from '../../src/packet/format/fields.js';
import { runCommand } from '../../src/sys/exec.js';
import { runCli } from '../helpers/cli.js';
import { corpusPath } from '../helpers/corpus.js';

const LAB = corpusPath('lab', 'lab-basic.pcap');
const dir = mkdtempSync(path.join(os.tmpdir(), 'sentra-decode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let labPackets = 0;
beforeAll(async () => {
  const r = await runCommand(['capinfos', '-M', '-T', '-r', '-c', LAB]);
  labPackets = Number(r.stdout.trim().split('\t')[1]);
});

describe('sentra decode', () => {
  it('--json prints one object per packet with the values tshark prints, absent fields left out', async () => {
    const r = await runCli(['decode', '--json', LAB]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBe(labPackets);
    const t = await runCommand(
      [
        'tshark',
        '-r',
        LAB,
        '-T',
        'fields',
        '-E',
        'occurrence=a',
        '-E',
        'aggregator=,',
        '-o',
        'tcp.desegment_tcp_streams:FALSE',
        '-o',
        'tcp.analyze_sequence_numbers:FALSE',
        ...DECODE_FIELDS.flatMap((f) => ['-e', f]),
      ],
      { timeoutMs: 120_000 },
    );
    const rows = t.stdout.split('\n');
    lines.forEach((line, i) => {
      const obj = JSON.parse(line) as Record<string, string>;
      const cols = rows[i].split('\t');
      const expected: Record<string, string> = {};
      DECODE_FIELDS.forEach((f, j) => {
        if (cols[j] !== '') expected[f] = cols[j];
      });
      expect(obj, `packet ${i + 1}`).toEqual(expected);
    });
  });

  it('prints tcpdump-like lines: times, endpoints, flags, seq, ack, win and length agree with tcpdump -nn -S', async () => {
    const r = await runCli(['decode', LAB]);
    expect(r.code).toBe(0);
    const ours = r.stdout.trim().split('\n');
    expect(ours.length).toBe(labPackets);
    // our times are UTC; tcpdump prints local time, so it runs with TZ=UTC (inherited)
    process.env.TZ = 'UTC';
    const td = await runCommand(['tcpdump', '-nn', '-S', '-r', LAB], { timeoutMs: 60_000 });
    const theirs = td.stdout.trim().split('\n');
    expect(theirs.length).toBe(labPackets);
    const tcp =
      /^(\S+) (IP6?) (\S+) > (\S+): Flags \[([^\]]+)\], seq (\d+)(?::\d+)?(?:, ack (\d+))?, win (\d+).*, length (\d+)/;
    let compared = 0;
    for (let i = 0; i < ours.length; i++) {
      const t = tcp.exec(theirs[i]);
      if (!t) continue;
      const o = tcp.exec(ours[i]);
      expect(o?.slice(1), `packet ${i + 1}: ${ours[i]} / ${theirs[i]}`).toEqual(t.slice(1));
      compared++;
    }
    expect(compared).toBeGreaterThan(10_000);
  });

  it('-c N stops after N packets', async () => {
    const r = await runCli(['decode', '-c', '5', LAB]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(5);
    const bad = await runCli(['decode', '-c', 'x', LAB]);
    expect(bad.code).toBe(2);
  });

  it('--stats counts packets per protocol as tshark sees them', async () => {
    const r = await runCli(['decode', '--json', '-q', '--stats', LAB]);
    expect(r.code).toBe(0);
    const { stats } = JSON.parse(r.stdout.trim()) as {
      stats: { packets: number; protocols: Record<string, number> };
    };
    const t = await runCommand(['tshark', '-r', LAB, '-T', 'fields', '-e', 'frame.protocols'], {
      timeoutMs: 60_000,
    });
    const count = (name: string) => t.stdout.split('\n').filter((l) => l.split(':').includes(name)).length;
    expect(stats.packets).toBe(labPackets);
    for (const proto of ['eth', 'ip', 'ipv6', 'tcp', 'udp', 'arp', 'icmp', 'icmpv6', 'dns']) {
      expect(stats.protocols[proto] ?? 0, proto).toBe(count(proto));
    }
    const text = await runCli(['decode', '-q', '--stats', LAB]);
    expect(text.stdout).toMatch(new RegExp(`^\\(all\\)\\s+${labPackets}$`, 'm'));
  });

  it('reads stdin with -', async () => {
    const bytes = readFileSync(corpusPath('cicflowmeter', 'test.pcap'));
    const fromStdin = await runCli(['decode', '--json', '-'], { input: bytes });
    const fromFile = await runCli(['decode', '--json', corpusPath('cicflowmeter', 'test.pcap')]);
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toBe(fromFile.stdout);
    expect(fromStdin.stdout.trim().split('\n')).toHaveLength(3292);
  });

  it('a truncated file: every packet before the damage, then the error and exit code 3', async () => {
    const bytes = readFileSync(LAB);
    const cut = path.join(dir, 'cut.pcap');
    writeFileSync(cut, bytes.subarray(0, 100_000));
    // tshark reads the same prefix: the packets it prints are the ones before the damage
    const t = await runCommand(['tshark', '-r', cut, '-T', 'fields', '-e', 'frame.number'], { okCodes: [2] });
    const expected = t.stdout.trim().split('\n').length;
    const r = await runCli(['decode', '--json', cut]);
    expect(r.code).toBe(3);
    const lines = r.stdout.trim().split('\n');
    const last = JSON.parse(lines.pop()!);
    expect(lines).toHaveLength(expected);
    expect(last.error.code).toBe('SENTRA_ERR_PCAP_TRUNCATED');
    expect(last.error.details.offset).toBeGreaterThan(0);
    const text = await runCli(['decode', cut]);
    expect(text.code).toBe(3);
    expect(text.stderr).toContain('SENTRA_ERR_PCAP_TRUNCATED');
    expect(text.stdout.trim().split('\n')).toHaveLength(expected);
  });

  it('a file that is not a capture exits 3 with PCAP_BAD_MAGIC; a missing file exits 1', async () => {
    const junk = path.join(dir, 'junk.pcap');
    writeFileSync(junk, 'this is text, not packets\n');
    const r = await runCli(['decode', junk]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('SENTRA_ERR_PCAP_BAD_MAGIC');
    const missing = await runCli(['decode', '--json', path.join(dir, 'nope.pcap')]);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).error.code).toBe('SENTRA_ERR_IO');
  });
});
