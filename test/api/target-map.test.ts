/**
 * `--target-map`: renaming addresses, blocks, host names and URLs into a lab, and confinement:
 * once any entry is given, a target outside the destinations is refused before anything is
 * sent. The CLI check runs inside a namespace with only loopback, so that even a broken
 * confinement could not reach anything.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TargetMap } from '../../src/api/index.js';
import { ErrorCodes, SentraError } from '../../src/errors.js';
import { CLI } from '../helpers/cli.js';
import { isRoot, NetnsLab } from '../helpers/netns.js';

const map = TargetMap.parse(['192.168.1.0/24=10.9.8.0/24', 'backend1=10.9.8.41, upstream-proxy=10.9.8.30']);

function refusal(fn: () => unknown): SentraError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SentraError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('TargetMap', () => {
  it('moves addresses and blocks into the destination, keeping the host part', () => {
    expect(map.map('192.168.1.1', 'target')).toBe('10.9.8.1');
    expect(map.map('192.168.1.100', 'target')).toBe('10.9.8.100');
    expect(map.map('192.168.1.0/24', 'network')).toBe('10.9.8.0/24');
    expect(map.map('192.168.1.128/25', 'network')).toBe('10.9.8.128/25');
    // already inside the lab: unchanged
    expect(map.map('10.9.8.7', 'target')).toBe('10.9.8.7');
    expect(map.map('127.0.0.1', 'target')).toBe('127.0.0.1');
  });

  it('maps host names and the host part of URLs, keeping the rest as written', () => {
    expect(map.map('BACKEND1', 'target')).toBe('10.9.8.41');
    expect(map.mapUrl('http://backend1:8080', 'backend')).toBe('http://10.9.8.41:8080');
    expect(map.mapUrl('http://user:pw@upstream-proxy:3128/x?y', 'upstream')).toBe(
      'http://user:pw@10.9.8.30:3128/x?y',
    );
    expect(map.mapUrl('backend1:8080', 'backend')).toBe('10.9.8.41:8080');
    expect(map.mapUrl('http://192.168.1.5', 'backend')).toBe('http://10.9.8.5');
    expect(map.nameOf('10.9.8.41')).toBe('backend1');
    expect(map.nameOf('10.9.8.42')).toBe('');
  });

  it('refuses targets outside the destinations, and unmapped names without resolving them', () => {
    const e = refusal(() => map.map('8.8.8.8', 'scan target'));
    expect(e.code).toBe(ErrorCodes.TARGET_NOT_ALLOWED);
    expect(e.message).toBe(
      "scan target '8.8.8.8' is outside every --target-map destination; this run is confined to 192.168.1.0/24=10.9.8.0/24, backend1=10.9.8.41, upstream-proxy=10.9.8.30 and loopback",
    );
    expect(refusal(() => map.map('scanme.nmap.org', 'scan target')).message).toMatch(
      /^scan target 'scanme.nmap.org' is a host name that --target-map does not map/,
    );
    expect(refusal(() => map.map('10.0.0.0/8', 'network')).code).toBe(ErrorCodes.TARGET_NOT_ALLOWED);
    expect(refusal(() => map.mapUrl('http://example.com/', 'upstream proxy')).code).toBe(
      ErrorCodes.TARGET_NOT_ALLOWED,
    );
    // firewall addresses are renamed but never refused: a rule sends nothing
    expect(map.map('203.0.113.9', 'address', { confine: false })).toBe('203.0.113.9');
  });

  it('without entries renames nothing and confines nothing', () => {
    const none = TargetMap.parse([]);
    expect(none.confined).toBe(false);
    expect(none.map('8.8.8.8', 'target')).toBe('8.8.8.8');
    expect(none.mapUrl('http://example.com', 'x')).toBe('http://example.com');
  });

  it('refuses malformed entries', () => {
    expect(() => TargetMap.parse(['192.168.1.0/24=10.9.0.0/16'])).toThrow(/same family and prefix length/);
    expect(() => TargetMap.parse(['192.168.1.0/24'])).toThrow(/is not FROM=TO/);
    expect(() => TargetMap.parse(['web=10.9.8.0/24'])).toThrow(/maps a host name to a block/);
    expect(() => TargetMap.parse(['web=lab-host'])).toThrow(/not an address or CIDR/);
    expect(() => TargetMap.parse(['we b=10.0.0.1'])).toThrow(/names neither an address nor a host/);
  });
});

describe.skipIf(!isRoot())('sentra run --target-map', () => {
  const lab = new NetnsLab();
  afterAll(() => lab.destroy());

  it('stops a script that scans outside the map with SENTRA_ERR_TARGET_NOT_ALLOWED, after what it did inside', async () => {
    // a namespace with only loopback: nothing could leave it even if the check failed
    const ns = await lab.ns('isolated');
    const script = path.join(os.tmpdir(), `sentra-confine-${process.pid}.sn`);
    writeFileSync(
      script,
      'let s = scan_ports("192.168.1.1", "1-10")\nlog("inside: " + s.target)\nscan_ports("8.8.8.8", "53")\nlog("never")\n',
    );
    const r = await lab
      .exec(ns, [
        process.execPath,
        CLI,
        'run',
        script,
        '--target-map',
        '192.168.1.0/24=127.0.0.0/24',
        '--timeout',
        '30',
      ])
      .then(
        (x) => ({ code: 0, ...x }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    expect(r.stdout).toBe('inside: 127.0.0.1\n');
    expect(r.stderr).toContain(
      "scan target '8.8.8.8' is outside every --target-map destination; this run is confined to 192.168.1.0/24=127.0.0.0/24 and loopback [SENTRA_ERR_TARGET_NOT_ALLOWED]",
    );
    expect(r.code).toBe(1);
  }, 60_000);
});
