/**
 * The seven IDS functions on a capture file (lab-basic): the spec's script flow — start with
 * the spec's options, add the spec's custom rule, read alerts and stats — with result fields
 * checked against the spec and counters against tshark.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { IdsService } from '../../src/api/ids.js';
import { ErrorCodes } from '../../src/errors.js';
import { runCommand } from '../../src/sys/exec.js';
import { corpusPath } from '../helpers/corpus.js';

const LAB = corpusPath('lab', 'lab-basic.pcap');
const svc = new IdsService();
const ids = svc.functions();

afterAll(() => svc.stopAll());

describe('ids_* on lab-basic.pcap', () => {
  const h = ids.ids_start(LAB, {
    detect_port_scan: true,
    detect_dos: true,
    detect_sql_injection: true,
    detect_brute_force: true,
  });
  const custom = ids.ids_add_rule(h.id, {
    name: 'Detect Brute Force',
    pattern: 'failed login attempts > 10',
    severity: 'high',
    action: 'alert',
  });
  const sig = ids.ids_add_rule(
    h.id,
    'alert http any any -> any any (msg:"login page"; http.uri; content:"/login"; sid:1000001; rev:1;)',
  );

  it('ids_start returns the id and what runs', () => {
    expect(h.id).toMatch(/^ids-\d+$/);
    expect(h.source_type).toBe('pcap');
    expect(h.detectors).toEqual(['portscan', 'dos', 'bruteforce', 'webattack']);
    expect(custom.rule_id).toMatch(/^rule-\d+$/);
    expect(custom.kind).toBe('pattern');
    expect(sig.kind).toBe('suricata');
    expect(sig.signature_ids).toEqual([1000001]);
  });

  it('ids_get_stats: packets_analyzed equals tshark, alerts_generated counts every alert', async () => {
    await svc.wait(h.id);
    const st = ids.ids_get_stats(h.id);
    const r = await runCommand(['capinfos', '-c', '-M', LAB]);
    const n = Number(/Number of packets:\s+(\d+)/.exec(r.stdout)?.[1]);
    expect(st.status).toBe('finished');
    expect(st.packets_analyzed).toBe(n);
    expect(st.alerts_generated).toBe(ids.ids_get_alerts(h.id, 'all', 0).length);
    expect(st.threats_blocked).toBe(0);
    const bySev = st.alerts_by_severity;
    expect(bySev.low + bySev.medium + bySev.high + bySev.critical).toBe(st.alerts_generated);
    expect(st.custom_rules).toBe(1);
    expect(st.signature_rules).toBe(1);
  });

  it('ids_get_alerts: the spec fields; severity is a floor; newest first; limit', () => {
    const all = ids.ids_get_alerts(h.id, 'all', 0);
    for (const a of all) {
      expect(a.id).toMatch(/^alert-\d+$/);
      expect(typeof a.message).toBe('string');
      expect(['low', 'medium', 'high', 'critical']).toContain(a.severity);
      expect(a.src_ip).toMatch(/^[0-9a-f.:]+$/);
      expect(a.dst_ip).toMatch(/^[0-9a-f.:]+$/);
      expect(['TCP', 'UDP', 'ICMP', 'IPv6-ICMP']).toContain(a.protocol);
      expect(a.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+0000$/);
    }
    const ids_ = all.map((a) => Number(a.id.slice(6)));
    expect([...ids_].sort((x, y) => y - x)).toEqual(ids_);
    const high = ids.ids_get_alerts(h.id, 'high', 10);
    expect(high.length).toBe(10);
    for (const a of high) expect(['high', 'critical']).toContain(a.severity);
    const custom_ = all.filter((a) => a.rule_id === custom.rule_id);
    expect(custom_.length).toBeGreaterThan(0);
    expect(custom_[0].message).toBe('Detect Brute Force');
    expect(custom_[0].src_ip).toBe('10.77.0.1');
    const sigs = all.filter((a) => a.signature_id === 1000001);
    expect(sigs.length).toBe(15); // the 15 GET /login of the HTTP brute force
    expect(all.some((a) => a.kind === 'port_scan' && a.src_ip === '10.77.0.1')).toBe(true);
  });

  it('ids_remove_rule removes by id; unknown ids are NOT_FOUND', () => {
    expect(ids.ids_remove_rule(h.id, custom.rule_id)).toMatchObject({
      success: true,
      rule_id: custom.rule_id,
    });
    expect(ids.ids_remove_rule(h.id, sig.rule_id).success).toBe(true);
    expect(ids.ids_get_stats(h.id).signature_rules).toBe(0);
    expect(() => ids.ids_remove_rule(h.id, custom.rule_id)).toThrow(
      expect.objectContaining({ code: ErrorCodes.NOT_FOUND }),
    );
    expect(() => ids.ids_get_stats('ids-999')).toThrow(
      expect.objectContaining({ code: ErrorCodes.NOT_FOUND }),
    );
  });

  it('bad input: severity, limit, pattern (with position), Suricata rule', () => {
    expect(() => ids.ids_get_alerts(h.id, 'urgent', 5)).toThrow(
      expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }),
    );
    expect(() => ids.ids_get_alerts(h.id, 'all', -1)).toThrow(
      expect.objectContaining({ code: ErrorCodes.INVALID_ARGUMENT }),
    );
    expect(() => ids.ids_add_rule(h.id, { pattern: 'failed login attempts >> 10' })).toThrow(
      expect.objectContaining({
        code: ErrorCodes.RULE_SYNTAX,
        details: expect.objectContaining({ position: 23 }),
      }),
    );
    expect(() => ids.ids_add_rule(h.id, 'alert tcp any any -> any any (msg:"x"; content:; sid:5;)')).toThrow(
      expect.objectContaining({ code: ErrorCodes.RULE_SYNTAX }),
    );
  });

  it('ids_block_threat without a firewall: a clear error', async () => {
    const a = ids.ids_get_alerts(h.id, 'all', 1)[0];
    await expect(ids.ids_block_threat(h.id, a.id)).rejects.toMatchObject({
      code: ErrorCodes.DEPENDENCY_MISSING,
    });
    await expect(ids.ids_block_threat(h.id, 'alert-999999')).rejects.toMatchObject({
      code: ErrorCodes.NOT_FOUND,
    });
  });

  it('ids_stop after the end keeps alerts and stats readable', async () => {
    const st = await ids.ids_stop(h.id);
    expect(st.success).toBe(true);
    expect(st.status).toBe('finished');
    expect(ids.ids_get_alerts(h.id, 'all', 0).length).toBe(st.alerts_generated);
  });
});

describe('ids_start switches', () => {
  it('detect_port_scan and detect_dos false: no scan or flood alerts; a store of 5 keeps the newest', async () => {
    const h = ids.ids_start(LAB, { detect_port_scan: false, detect_dos: false, max_alerts: 5 });
    expect(h.detectors).toEqual(['bruteforce', 'webattack']);
    const st = await svc.wait(h.id);
    const all = ids.ids_get_alerts(h.id, 'all', 0);
    expect(all.length).toBe(5);
    expect(st.alerts_dropped).toBe(st.alerts_generated - 5);
    expect(all.some((a) => a.kind === 'port_scan' || a.kind.endsWith('_flood'))).toBe(false);
  });
  it('a missing capture file fails the IDS with an IO error in its stats', async () => {
    const h = ids.ids_start('/nonexistent/x.pcap', {});
    const st = await svc.wait(h.id);
    expect(st.status).toBe('failed');
    expect(st.error?.code).toBe(ErrorCodes.IO);
  });
});
