/**
 * `sentra decode -f EXPR` applies a capture filter to a file: the packets it prints must be the
 * packets `tcpdump -r FILE EXPR` prints, in the same order (compared by timestamp and length).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { corpusPath } from '../helpers/corpus.js';

const execFileP = promisify(execFile);
const LAB = corpusPath('lab', 'lab-basic.pcap');

async function tcpdumpTimes(expr: string): Promise<string[]> {
  const { stdout } = await execFileP('tcpdump', ['-nn', '-tt', '-r', LAB, expr], { maxBuffer: 1 << 28 });
  return stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split(' ')[0]);
}

async function sentraTimes(expr: string): Promise<string[]> {
  const r = await runCli(['decode', '--json', '-f', expr, LAB]);
  expect(r.code).toBe(0);
  return r.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const epoch = JSON.parse(l)['frame.time_epoch'] as string;
      return epoch.slice(0, epoch.indexOf('.') + 7); // tcpdump -tt prints microseconds
    });
}

describe('sentra decode -f', () => {
  it.each([
    'tcp port 80',
    'udp and dst port 53',
    'icmp or icmp6',
    'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn',
    'ip6 and not tcp',
    'host 10.77.0.3 and greater 1000',
  ])('selects the packets tcpdump selects for %j', async (expr) => {
    const [ours, theirs] = await Promise.all([sentraTimes(expr), tcpdumpTimes(expr)]);
    expect(theirs.length).toBeGreaterThan(0);
    expect(ours).toEqual(theirs);
  });

  it('counts -c after the filter', async () => {
    const r = await runCli(['decode', '-f', 'udp', '-c', '3', LAB]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(3);
  });

  it('refuses a bad expression with exit code 2 and the position', async () => {
    const r = await runCli(['decode', '--json', '-f', 'tcp port', LAB]);
    expect(r.code).toBe(2);
    const err = JSON.parse(r.stdout).error;
    expect(err.code).toBe('SENTRA_ERR_FILTER_SYNTAX');
    expect(err.details.position).toBeGreaterThanOrEqual(0);
  });
});
