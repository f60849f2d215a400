/**
 * Packet-payload prefilters by protocol and ports: a group holds exactly the rules whose
 * protocol and port lists admit the input, whichever way the ports were written.
 */
import { describe, expect, it } from 'vitest';
import { PayloadGroups } from '../../src/ids/match/payload-groups.js';
import { literalAddon } from '../../src/ids/prefilter/native.js';
import { BufferPrefilter, Candidates } from '../../src/ids/prefilter/prefilter.js';
import { loadRulesFromString } from '../../src/ids/rules/loader.js';

const RULES = `
alert tcp any any -> any 80 (msg:"to 80"; content:"pat-to80"; sid:1;)
alert tcp any 80 -> any any (msg:"from 80"; content:"pat-from80"; sid:2;)
alert udp any any -> any 53 (msg:"dns"; content:"pat-dns"; sid:3;)
alert tcp any any <> any 443 (msg:"443 either way"; content:"pat-443"; sid:4;)
alert ip any any -> any any (msg:"any ip"; content:"pat-ip"; sid:5;)
alert icmp any any -> any any (msg:"icmp"; content:"pat-icmp"; sid:6;)
alert tcp any [1000:2000] -> any !80 (msg:"range"; content:"pat-range"; sid:7;)
alert tcp any any -> any any (msg:"any tcp"; content:"pat-tcp"; sid:8;)
alert udp any any -> any [53,5353] (msg:"mdns"; content:"pat-mdns"; sid:9;)
`;

/** Every rule's pattern, so a scan finds each rule the group holds. */
const PAYLOAD = Buffer.from(
  'pat-to80 pat-from80 pat-dns pat-443 pat-ip pat-icmp pat-range pat-tcp pat-mdns',
  'latin1',
);

function setup(heavyScans: number) {
  const rs = loadRulesFromString(RULES).ruleSet;
  const payloadRules = rs.rules.filter((r) => r.prefilter !== null && !r.isTx);
  expect(payloadRules).toHaveLength(9);
  const groups = new PayloadGroups(payloadRules, literalAddon(), null, heavyScans);
  const cand = new Candidates(rs.size);
  /** Sids of the rules the group for this input holds. */
  const sids = (proto: number, sp: number, dp: number) => {
    cand.reset();
    groups.get(proto, sp, dp).scan(PAYLOAD, cand);
    return Array.from(cand.list.subarray(0, cand.count), (i) => rs.rules[i].sid).sort((a, b) => a - b);
  };
  return { groups, sids };
}

describe('payload prefilter groups', () => {
  it('a port group holds the rules whose protocol and ports admit the input', () => {
    const { sids, groups } = setup(1);
    expect(sids(6, 40000, 80)).toEqual([1, 5, 8]);
    expect(sids(6, 80, 40000)).toEqual([2, 5, 8]);
    // the bidirectional rule either way round
    expect(sids(6, 40000, 443)).toEqual([4, 5, 8]);
    expect(sids(6, 443, 40000)).toEqual([4, 5, 8]);
    // [1000:2000] -> !80
    expect(sids(6, 1500, 8080)).toEqual([5, 7, 8]);
    expect(sids(6, 1500, 80)).toEqual([1, 5, 8]);
    expect(sids(6, 2001, 8080)).toEqual([5, 8]);
    expect(sids(17, 40000, 53)).toEqual([3, 5, 9]);
    expect(sids(17, 40000, 5353)).toEqual([5, 9]);
    expect(sids(17, 53, 40000)).toEqual([5]);
    // no ports: the protocol's rules
    expect(sids(1, 0, 0)).toEqual([5, 6]);
    expect(sids(47, 0, 0)).toEqual([5]);
    expect(groups.prefilterCount).toBeGreaterThan(3);
  });

  it('before a key is heavy it uses its protocol group (every rule of the protocol)', () => {
    const { sids, groups } = setup(3);
    expect(sids(6, 40000, 80)).toEqual([1, 2, 4, 5, 7, 8]);
    expect(sids(6, 40000, 80)).toEqual([1, 2, 4, 5, 7, 8]);
    // the third scan of the key builds its own group
    expect(sids(6, 40000, 80)).toEqual([1, 5, 8]);
    expect(sids(17, 40000, 53)).toEqual([3, 5, 9]);
    expect(groups.prefilterCount).toBeGreaterThanOrEqual(3);
  });

  it('ports share a class exactly when every rule port list treats them alike', () => {
    const { groups } = setup(1);
    const lists: Array<(p: number) => boolean> = [
      (p) => p === 80,
      (p) => p === 53,
      (p) => p === 443,
      (p) => p >= 1000 && p <= 2000,
      (p) => p !== 80,
      (p) => p === 53 || p === 5353,
    ];
    const sig = (p: number) => lists.map((f) => (f(p) ? 1 : 0)).join('');
    const sample = [
      0, 1, 52, 53, 54, 79, 80, 81, 442, 443, 444, 999, 1000, 1500, 2000, 2001, 5353, 40000, 65535,
    ];
    for (const a of sample)
      for (const b of sample)
        expect(groups.classOf(a) === groups.classOf(b), `${a} ${b}`).toBe(sig(a) === sig(b));
  });
});

describe('payload prefilter groups and the full prefilter', () => {
  it('a group holding nearly every rule (80%+) is the full prefilter, a smaller one is not', () => {
    const text = [
      ...[1, 2, 3, 4, 5].map(
        (i) => `alert tcp any any -> any any (msg:"t${i}"; content:"tcp-${i}"; sid:${i};)`,
      ),
      'alert udp any any -> any any (msg:"u"; content:"udp-6"; sid:6;)',
    ].join('\n');
    const rs = loadRulesFromString(text).ruleSet;
    const rules = rs.rules.filter((r) => r.prefilter !== null && !r.isTx);
    const full = new BufferPrefilter(
      rules.map((r) => ({ rule: r.index, bytes: r.prefilter!.bytes, nocase: r.prefilter!.nocase })),
      literalAddon(),
    );
    const groups = new PayloadGroups(rules, literalAddon(), full, 1);
    expect(groups.get(6, 40000, 80)).toBe(full);
    expect(groups.get(17, 40000, 53)).not.toBe(full);
  });
});
