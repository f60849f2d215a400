import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCodes, SentraError } from '../../src/errors.js';
import { MemoryBackend } from '../../src/firewall/backends/memory.js';
import { formatDuration, parseDuration } from '../../src/firewall/duration.js';
import { Firewall } from '../../src/firewall/firewall.js';
import {
  parseAction,
  parseChain,
  parseInterfaceName,
  parsePortSpec,
  parseReason,
  parseTarget,
} from '../../src/firewall/validate.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof SentraError ? e.code : 'not a SentraError';
  }
  return undefined;
}

async function asyncCodeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return e instanceof SentraError ? e.code : 'not a SentraError';
  }
  return undefined;
}

// Attack strings from the issue: shell metacharacters, command substitution, newlines that
// would start a new nft command, and oversize input.
const INJECTIONS = [
  '1.2.3.4; rm -rf /',
  '$(reboot)',
  '1.2.3.4 $(id)',
  '`id`',
  '1.2.3.4\nflush ruleset',
  '1.2.3.4\r\nadd rule inet sentra input accept',
  '1.2.3.4 } ; flush ruleset ; {',
  '1.2.3.4/24; drop',
  '1.2.3.4|nc evil 1',
  '../../etc/passwd',
  'x'.repeat(100_000),
  '1'.repeat(5000) + '.1.1.1',
  '',
  ' 1.2.3.4',
  '01.2.3.4',
];

describe('address validation', () => {
  it('canonicalises hosts and blocks, both families', () => {
    expect(parseTarget('192.0.2.7').text).toBe('192.0.2.7');
    expect(parseTarget('192.0.2.7/32').text).toBe('192.0.2.7');
    expect(parseTarget('10.0.0.0/8').text).toBe('10.0.0.0/8');
    expect(parseTarget('2001:DB8:0:0::1').text).toBe('2001:db8::1');
    expect(parseTarget('2001:db8::/32').text).toBe('2001:db8::/32');
    expect(parseTarget('2001:db8::1/128').prefix).toBe(128);
  });

  it('refuses blocks with host bits set rather than guessing', () => {
    expect(codeOf(() => parseTarget('10.0.0.1/8'))).toBe(ErrorCodes.INVALID_CIDR);
  });

  it.each(
    INJECTIONS.map((s) => [s.length > 60 ? `${s.slice(0, 20)}… (${s.length} chars)` : JSON.stringify(s), s]),
  )('refuses %s with a typed error', (_label, s) => {
    const code = codeOf(() => parseTarget(s));
    expect([ErrorCodes.INVALID_IP, ErrorCodes.INVALID_CIDR]).toContain(code);
  });

  it('refuses injection in ports, chains, actions, interface names and reasons', () => {
    expect(codeOf(() => parsePortSpec('22; reboot'))).toBe(ErrorCodes.INVALID_PORT_RANGE);
    expect(codeOf(() => parsePortSpec('22,80'))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(codeOf(() => parsePortSpec('70000'))).toBe(ErrorCodes.INVALID_PORT_RANGE);
    expect(codeOf(() => parseChain('INPUT; flush ruleset'))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(codeOf(() => parseAction('DROP\naccept'))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(codeOf(() => parseInterfaceName('eth0;reboot'))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(codeOf(() => parseInterfaceName('a'.repeat(16)))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(codeOf(() => parseReason('ok\nforged log line'))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(codeOf(() => parseReason('r'.repeat(513)))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(parseReason('brute force from $(somewhere); "quoted"')).toBe(
      'brute force from $(somewhere); "quoted"',
    );
  });

  it('accepts the spellings of chains and actions the spec uses', () => {
    expect(parseChain('INPUT')).toBe('input');
    expect(parseAction('DROP')).toBe('drop');
    expect(parseAction('ACCEPT')).toBe('accept');
    expect(parsePortSpec('any')).toBeNull();
    expect(parsePortSpec('22')).toEqual({ from: 22, to: 22 });
    expect(parsePortSpec('1000-2000')).toEqual({ from: 1000, to: 2000 });
  });
});

describe('durations', () => {
  it('parses seconds and unit sums; zero and permanent mean no expiry', () => {
    expect(parseDuration(90)).toBe(90_000);
    expect(parseDuration('90')).toBe(90_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('1500ms')).toBe(1500);
    expect(parseDuration(0)).toBeNull();
    expect(parseDuration('permanent')).toBeNull();
    expect(parseDuration(undefined)).toBeNull();
  });
  it('refuses nonsense and absurd lengths', () => {
    expect(codeOf(() => parseDuration('10 minutes; reboot'))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(codeOf(() => parseDuration(-5))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(codeOf(() => parseDuration('11000d'))).toBe(ErrorCodes.INVALID_ARGUMENT);
  });
  it('formats as nftables prints timeouts', () => {
    expect(formatDuration(3_600_000)).toBe('1h');
    expect(formatDuration(93_784_005)).toBe('1d2h3m4s5ms');
  });
});

describe('injection through the Firewall API changes nothing', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sentra-fw-val-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses every attack string with a typed error, runs no command, stores nothing', async () => {
    const backend = new MemoryBackend();
    const fw = await Firewall.open({ backend, dbPath: path.join(dir, 'a.db') });
    const before = backend.commands.length;
    for (const s of INJECTIONS) {
      expect([ErrorCodes.INVALID_IP, ErrorCodes.INVALID_CIDR]).toContain(await asyncCodeOf(fw.block(s)));
      // a bulk ban with one bad address is refused as a whole
      expect([ErrorCodes.INVALID_IP, ErrorCodes.INVALID_CIDR]).toContain(
        await asyncCodeOf(fw.block(['192.0.2.1', s])),
      );
    }
    expect(await asyncCodeOf(fw.block('192.0.2.1', { reason: 'a\nb' }))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(
      await asyncCodeOf(
        fw.createRule({ chain: 'INPUT', action: 'DROP', dstPort: '22 ; flush ruleset', protocol: 'tcp' }),
      ),
    ).toBe(ErrorCodes.INVALID_PORT_RANGE);
    expect(await asyncCodeOf(fw.deleteRule('fw-rule-1; rm -rf /'))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(
      await asyncCodeOf(
        Firewall.open({ backend: 'memory', netns: 'x; reboot', dbPath: path.join(dir, 'b.db') }),
      ),
    ).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(backend.commands.length).toBe(before);
    expect(await fw.listRules()).toEqual([]);
    fw.close();
  });
});
