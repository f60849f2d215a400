/**
 * Custom rules through the engine: the spec's examples on crafted sessions, counts at their
 * edge (the count is the threshold: one below silent, at it an alert), removal at run time.
 */
import { describe, expect, it } from 'vitest';
import { CUSTOM_SID_BASE, CustomRuleSet, compileCustomRule } from '../../src/detect/custom-rules.js';
import { ErrorCodes } from '../../src/errors.js';
import { T0, Traffic } from './craft.js';
import { craftedAlerts } from './run.js';
import { httpAnswers, sshAttempts } from './sessions.js';

const ATT = '10.7.0.66';

function rules(...patterns: Array<{ pattern: string; severity?: string; name?: string }>): CustomRuleSet {
  const set = new CustomRuleSet();
  for (const [i, p] of patterns.entries())
    set.add(compileCustomRule(`rule-${i + 1}`, CUSTOM_SID_BASE + i + 1, p));
  return set;
}

describe('failed logins', () => {
  it('failed SSH login > 5: 5 attempts silent, 6 alert naming the attacker', async () => {
    expect(await craftedAlerts(sshAttempts(5), [rules({ pattern: 'failed SSH login > 5' })])).toEqual([]);
    const a = await craftedAlerts(sshAttempts(6), [
      rules({ pattern: 'failed SSH login > 5', severity: 'high', name: 'SSH brute force' }),
    ]);
    expect(a).toHaveLength(1);
    expect(a[0].src_ip).toBe(ATT);
    expect(a[0].alert.signature).toBe('SSH brute force');
    expect(a[0].alert.signature_id).toBe(CUSTOM_SID_BASE + 1);
    expect(a[0].alert.metadata?.severity).toEqual(['high']);
    expect(a[0].alert.metadata?.rule_id).toEqual(['rule-1']);
  });
  it('failed login attempts > 10 counts every service: 10 silent, 11 alert', async () => {
    const ten = httpAnswers(5, 401, sshAttempts(5));
    expect(await craftedAlerts(ten, [rules({ pattern: 'failed login attempts > 10' })])).toEqual([]);
    const eleven = httpAnswers(6, 401, sshAttempts(5));
    const a = await craftedAlerts(eleven, [rules({ pattern: 'failed login attempts > 10' })]);
    expect(a).toHaveLength(1);
    expect(a[0].src_ip).toBe(ATT);
  });
  it('failed SSH login does not count HTTP denials', async () => {
    expect(await craftedAlerts(httpAnswers(20, 401), [rules({ pattern: 'failed SSH login > 5' })])).toEqual(
      [],
    );
  });
});

describe('HTTP request rules', () => {
  const requests = (reqs: string[]) => {
    const tr = new Traffic();
    const msgs: Array<{ from: 'client' | 'server'; data: string }> = [];
    for (const r of reqs) {
      msgs.push({ from: 'client', data: r });
      msgs.push({ from: 'server', data: 'HTTP/1.1 405 No\r\nContent-Length: 0\r\n\r\n' });
    }
    tr.session(T0, ATT, '10.7.0.2', 40000, 80, msgs);
    return tr;
  };
  it("user-agent contains 'scanner' fires on each matching request only", async () => {
    const a = await craftedAlerts(
      requests([
        'GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: Mozilla/5.0 (compatible; Nmap Scripting Engine; SCANNER)\r\n\r\n',
        'GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: curl/8.5.0\r\n\r\n',
        'GET /a HTTP/1.1\r\nHost: x\r\nUser-Agent: sqlmap scanner\r\n\r\n',
      ]),
      [rules({ pattern: "user-agent contains 'scanner'" })],
    );
    expect(a).toHaveLength(2);
    expect(a.every((x) => x.src_ip === ATT && x.dest_port === 80)).toBe(true);
  });
  it('HTTP method in [TRACE, TRACK, DEBUG]', async () => {
    const a = await craftedAlerts(
      requests([
        'TRACE / HTTP/1.1\r\nHost: x\r\n\r\n',
        'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
        'DEBUG / HTTP/1.1\r\nHost: x\r\n\r\n',
      ]),
      [rules({ pattern: 'HTTP method in [TRACE, TRACK, DEBUG]' })],
    );
    expect(a).toHaveLength(2);
  });
  it('a removed rule no longer fires', async () => {
    const set = rules({ pattern: 'HTTP method == TRACE' });
    set.remove('rule-1');
    expect(await craftedAlerts(requests(['TRACE / HTTP/1.1\r\nHost: x\r\n\r\n']), [set])).toEqual([]);
  });
});

describe('rule maps', () => {
  it('reject a bad severity, action or missing pattern with a code', () => {
    expect(() => compileCustomRule('r', 1, { pattern: 'packets > 5', severity: 'urgent' })).toThrow(
      expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }),
    );
    expect(() => compileCustomRule('r', 1, { pattern: 'packets > 5', action: 'explode' })).toThrow(
      expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }),
    );
    expect(() => compileCustomRule('r', 1, { pattern: '' })).toThrow(
      expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }),
    );
    expect(() => compileCustomRule('r', 1, { pattern: 'packets >' })).toThrow(
      expect.objectContaining({ code: ErrorCodes.RULE_SYNTAX }),
    );
  });
});
