import { describe, expect, it } from 'vitest';
import { BUFFERS, BufferId, bufferIdByName } from '../../src/ids/match/buffers.js';
import { type ContentOp, OpKind } from '../../src/ids/match/ops.js';
import { PacketField, PayloadMode } from '../../src/ids/match/rule.js';
import { UintMode } from '../../src/ids/match/uint.js';
import { parseClassificationConfig, parseReferenceConfig } from '../../src/ids/rules/classification.js';
import { parseContentString } from '../../src/ids/rules/content-string.js';
import { compileRuleText, loadRulesFromString } from '../../src/ids/rules/loader.js';
import { splitRule, splitRules } from '../../src/ids/rules/text.js';
import { enc, etClassifications, etRule, load } from './helpers.js';

const name = (id: number) => BUFFERS[id].name;
const text = (op: ContentOp) => Buffer.from(op.pattern.bytes).toString('latin1');

describe('rule file text', () => {
  it('skips comments, reports disabled rules and joins backslash continuations', () => {
    const rs = splitRules(
      [
        '# a comment',
        '',
        '#alert tcp any any -> any any (msg:"off"; sid:1;)',
        'alert tcp any any -> any any (msg:"multi"; \\',
        '  content:"x"; \\',
        '  sid:2;)',
        'alert udp any any -> any any (sid:3;)',
      ].join('\n'),
    );
    expect(rs.map((r) => [r.line, r.disabled])).toEqual([
      [3, true],
      [4, false],
      [7, false],
    ]);
    expect(rs[1].text).toBe('alert tcp any any -> any any (msg:"multi";   content:"x";   sid:2;)');
  });

  it('splits options on unescaped semicolons only', () => {
    const s = splitRule('alert tcp any any -> any any (msg:"a\\;b"; content:"|3b|"; nocase; sid:1;)');
    expect(typeof s).toBe('object');
    if (typeof s === 'string') return;
    expect(s.options).toEqual([
      { keyword: 'msg', value: '"a\\;b"' },
      { keyword: 'content', value: '"|3b|"' },
      { keyword: 'nocase', value: null },
      { keyword: 'sid', value: '1' },
    ]);
  });

  it('parses content strings with hex, escapes and negation', () => {
    expect(parseContentString('"a|0D 0a|b\\"c\\;"')).toEqual({ bytes: enc('a\r\nb"c;'), negated: false });
    expect(parseContentString('!"|00|"')).toEqual({ bytes: new Uint8Array([0]), negated: true });
    expect(typeof parseContentString('"|0|"')).toBe('string');
    expect(typeof parseContentString('"a;b"')).toBe('string');
    expect(typeof parseContentString('"\\x41"')).toBe('string');
  });
});

describe('config files', () => {
  it('parses classification.config priorities', () => {
    const { classes, problems } = parseClassificationConfig(
      'config classification: trojan-activity,A Network Trojan was detected,1\n# c\nconfig classification: bad line\n',
    );
    expect(classes.get('trojan-activity')).toEqual({
      name: 'trojan-activity',
      description: 'A Network Trojan was detected',
      priority: 1,
    });
    expect(problems).toEqual([{ line: 3, message: expect.stringContaining('expected') }]);
    // the real file
    expect(etClassifications().get('policy-violation')?.priority).toBe(1);
    expect(etClassifications().get('misc-activity')?.priority).toBe(3);
  });

  it('parses reference.config', () => {
    const { systems } = parseReferenceConfig(
      'config reference: cve       http://cve.mitre.org/cgi-bin/cvename.cgi?name=\n',
    );
    expect(systems.get('cve')).toBe('http://cve.mitre.org/cgi-bin/cvename.cgi?name=');
  });
});

describe('real ET Open rules', () => {
  it('sid 2008542: dsize, byte_test, flow, ports, references, metadata', () => {
    const r = load(etRule('emerging-scada.rules', 2008542)).ruleSet.rules[0];
    expect(r).toMatchObject({
      sid: 2008542,
      rev: 8,
      gid: 1,
      action: 'alert',
      ipProto: 6,
      classtype: 'attempted-user',
    });
    expect(r.priority).toBe(1);
    expect(r.category).toBe('Attempted User Privilege Gain');
    expect(r.flow).toMatchObject({ toServer: true, established: true });
    expect(r.dstPorts.has(20222)).toBe(true);
    expect(r.dstPorts.has(20223)).toBe(false);
    expect(r.dst.has(new Uint8Array([10, 1, 2, 3]))).toBe(true);
    expect(r.src.has(new Uint8Array([10, 1, 2, 3]))).toBe(false);
    expect(r.packetChecks).toEqual([{ field: PacketField.DSIZE, cmp: { mode: UintMode.EQ, a: 4, b: 0 } }]);
    expect(r.payloadMode).toBe(PayloadMode.PACKET);
    expect(r.lists).toHaveLength(1);
    expect(r.lists[0].ops[0]).toMatchObject({
      kind: OpKind.BYTE_TEST,
      value: 399,
      offset: 0,
      relative: false,
    });
    expect(r.references.map((x) => x.system)).toEqual(['cve', 'url', 'url']);
    expect(r.metadata).toEqual({
      created_at: ['2010_07_30'],
      cve: ['CVE_2008_2639'],
      updated_at: ['2019_07_26'],
    });
    expect(r.prefilter).toBeNull();
  });

  it('sid 2014385: flowbits isnotset/set/noalert, flags, source port', () => {
    const r = load(etRule('emerging-dos.rules', 2014385)).ruleSet.rules[0];
    expect(r.flowbitConditions).toEqual([{ cmd: 'isnotset', ids: [0], all: false }]);
    expect(r.flowbitActions).toEqual([{ cmd: 'set', ids: [0] }]);
    expect(r.noalert).toBe(true);
    expect(r.tcpFlags).toEqual({ mode: 0, bits: 0x12, ignore: 0 });
    expect(r.srcPorts.has(3389)).toBe(true);
    expect(r.flow).toMatchObject({ toClient: true });
    expect(r.flowbitsType).toBe(3);
  });

  it('sid 2024793: relative content chain, byte_jump, isdataat, threshold', () => {
    const r = load(etRule('emerging-adware_pup.rules', 2024793)).ruleSet.rules[0];
    const ops = r.lists[0].ops;
    expect(ops.map((o) => o.kind)).toEqual([
      OpKind.CONTENT,
      OpKind.CONTENT,
      OpKind.BYTE_JUMP,
      OpKind.ISDATAAT,
      OpKind.ISDATAAT,
    ]);
    const c1 = ops[0] as ContentOp;
    const c2 = ops[1] as ContentOp;
    expect([c1.depth, c1.offset, c1.relative]).toEqual([3, 0, false]);
    expect([c2.distance, c2.within, c2.relative]).toEqual([1, 3, true]);
    // the next keyword depends on c1's position and has a within: retry c1 on failure
    expect(c1.retryNext).toBe(true);
    expect(ops[2]).toMatchObject({ fromBeginning: true, postOffset: 2, offset: 3 });
    expect(ops[4]).toMatchObject({ negated: true, relative: true, dataat: 2 });
    expect(r.threshold).toEqual({ type: 'limit', track: 'by_src', count: 1, seconds: 30 });
    expect(r.dstPorts.has(80)).toBe(false);
    expect(r.dstPorts.has(8080)).toBe(true);
    // explicit fast_pattern wins over the longer candidates
    expect(Buffer.from(r.prefilter!.bytes)).toEqual(Buffer.from([1, 0x78, 0x9c]));
  });

  it("the fast pattern's absolute window (offset, depth) goes to the prefilter; relative or variable ones do not", () => {
    const fp = (opts: string) =>
      load(`alert udp any any -> any any (msg:"w"; ${opts} sid:1;)`).ruleSet.rules[0].prefilter!;
    // ET 2015986: content:"|11|"; offset:3; depth:4; -> bytes 3..6
    expect(fp('content:"|11|"; offset:3; depth:4;')).toMatchObject({ offset: 3, depth: 7 });
    expect(fp('content:"|00 01|"; depth:2;')).toMatchObject({ offset: 0, depth: 2 });
    expect(fp('content:"GET"; startswith;')).toMatchObject({ offset: 0, depth: 3 });
    // no window: no depth, a relative content, a depth from byte_extract
    expect(fp('content:"abc"; offset:5;')).toMatchObject({ offset: 0, depth: 0 });
    expect(fp('content:"a"; content:"bcd"; distance:0; within:5;')).toMatchObject({ offset: 0, depth: 0 });
    expect(fp('byte_extract:1,0,n; content:"abcd"; depth:n;')).toMatchObject({ offset: 0, depth: 0 });
    // fast_pattern:1,2 on "abcd" at offset 2 depth 6: "bc" lies in [3, 7)
    expect(fp('content:"abcd"; offset:2; depth:6; fast_pattern:1,2;')).toMatchObject({ offset: 3, depth: 7 });
  });

  it('sid 2014169: dns.query sticky buffer with nocase endswith', () => {
    const r = load(etRule('emerging-dns.rules', 2014169)).ruleSet.rules[0];
    expect(r.appProto).toBe('dns');
    expect(r.isTx).toBe(true);
    expect(r.lists.map((l) => name(l.buffer))).toEqual(['dns.query']);
    const c = r.lists[0].ops[0] as ContentOp;
    expect(text(c)).toBe('.su');
    expect([c.pattern.nocase, c.endsWith]).toEqual([true, true]);
    expect(r.prefilter).toMatchObject({ variant: BufferId.DNS_QUERY, nocase: true });
    expect(r.direction).toBe(1);
  });

  it('sid 2025424: tls.cert_subject is a response buffer', () => {
    const r = load(etRule('emerging-adware_pup.rules', 2025424)).ruleSet.rules[0];
    expect(r.appProto).toBe('tls');
    expect(r.lists[0]).toMatchObject({ buffer: bufferIdByName('tls.cert_subject'), toServer: false });
    expect(r.direction).toBe(2);
    expect(r.metadata.tag).toEqual(['SSL_Malicious_Cert']);
  });

  it('legacy modifiers and sticky buffers give the same lists', () => {
    const legacy = load(
      'alert http any any -> any any (msg:"l"; flow:established,to_server; content:"GET"; http_method; content:"/a.php"; http_uri; nocase; content:"x"; http_user_agent; depth:1; sid:1;)',
    ).ruleSet.rules[0];
    const sticky = load(
      'alert http any any -> any any (msg:"s"; flow:established,to_server; http.method; content:"GET"; http.uri; content:"/a.php"; nocase; http.user_agent; content:"x"; depth:1; sid:1;)',
    ).ruleSet.rules[0];
    const shape = (r: typeof legacy) =>
      r.lists.map((l) => ({
        b: name(l.buffer),
        ops: l.ops.map((o) => ({
          t: text(o as ContentOp),
          nc: (o as ContentOp).pattern.nocase,
          d: (o as ContentOp).depth,
        })),
      }));
    expect(shape(legacy)).toEqual(shape(sticky));
    expect(shape(legacy).map((l) => l.b)).toEqual(['http.method', 'http.uri', 'http.user_agent']);
  });

  it('uricontent and pcre /U go to http.uri; urilen becomes a length op', () => {
    const r = load(
      'alert tcp any any -> any any (msg:"u"; content:"POST "; depth:5; uricontent:"/frame.html?"; urilen: > 80; pcre:"/id=\\d+/U"; sid:9;)',
    ).ruleSet.rules[0];
    const uri = r.lists.find((l) => l.buffer === BufferId.HTTP_URI)!;
    expect(uri.ops.map((o) => o.kind)).toEqual([OpKind.CONTENT, OpKind.LENGTH, OpKind.PCRE]);
    expect(uri.ops[1]).toMatchObject({ keyword: 'urilen', cmp: { mode: UintMode.GT, a: 80 } });
    expect(r.appProto).toBe('http');
  });

  it('startswith and offset+depth become absolute windows', () => {
    const r = load(
      'alert tcp any any -> any any (content:"ab"; startswith; content:"cd"; offset:3; depth:4; sid:1;)',
    ).ruleSet.rules[0];
    const [a, b] = r.lists[0].ops as ContentOp[];
    expect([a.offset, a.depth]).toEqual([0, 2]);
    expect([b.offset, b.depth]).toEqual([3, 7]);
  });

  it('transforms create a derived buffer variant', () => {
    const r = load(
      'alert dns any any -> any any (dns.query; dotprefix; content:".example.com"; endswith; sid:1;)',
    ).ruleSet;
    const l = r.rules[0].lists[0];
    expect(l.transforms).toEqual(['dotprefix']);
    expect(l.variant).toBeGreaterThanOrEqual(BUFFERS.length);
    expect(r.variants[l.variant]).toEqual({ buffer: BufferId.DNS_QUERY, transforms: ['dotprefix'] });
  });
});

describe('suricata-verify rule files', () => {
  it('parses the detect-flowbits rules with their flowbits', () => {
    const r = loadRulesFromString(
      'alert tcp any any -> any any (flowbits:set,a; sid:1;)\nalert tcp any any -> any any (flowbits:isset,a|b; sid:2;)\nalert tcp any any -> any any (flowbits:isnotset,a&b; sid:3;)',
      { classifications: new Map() },
    );
    expect(r.issues).toEqual([]);
    const bySid = (s: number) => r.ruleSet.bySid(s)!;
    expect(bySid(2).flowbitConditions[0]).toMatchObject({ cmd: 'isset', all: false });
    expect(bySid(2).flowbitConditions[0].ids).toHaveLength(2);
    expect(bySid(3).flowbitConditions[0]).toMatchObject({ cmd: 'isnotset', all: true });
    // setters are evaluated before readers
    expect(r.ruleSet.rules.map((x) => x.sid)).toEqual([1, 2, 3]);
  });
});

describe('unsupported and malformed rules', () => {
  it('reports file, line, sid and keyword, and leaves the rule out', () => {
    const r = loadRulesFromString(
      [
        'alert tcp any any -> any any (msg:"ok"; content:"a"; sid:1;)',
        '# comment',
        'alert tcp any any -> any any (msg:"tag"; content:"a"; tag:session,5,packets; sid:2;)',
        'alert smtp any any -> any any (msg:"smtp"; sid:3;)',
        'alert tcp any any -> any any (msg:"bad"; content:"a"; depth:0; \\',
        '  sid:4;)',
        'alert tcp any any -> any any (msg:"dup"; sid:1;)',
        'alert tcp any any -> any any (msg:"atomic"; pcre:"/(?R)/"; sid:5;)',
      ].join('\n'),
      { classifications: new Map() },
      'test.rules',
    );
    expect(r.stats).toMatchObject({ enabled: 6, loaded: 1, failed: 5 });
    expect(r.issues.map((i) => [i.file, i.line, i.sid, i.kind, i.keyword])).toEqual([
      ['test.rules', 3, 2, 'unsupported', 'tag'],
      ['test.rules', 4, 3, 'unsupported', 'protocol'],
      ['test.rules', 5, 4, 'syntax', 'depth'],
      ['test.rules', 7, 1, 'duplicate', 'sid'],
      ['test.rules', 8, 5, 'unsupported', 'pcre'],
    ]);
    expect(r.stats.unsupportedByKeyword).toEqual({ tag: 1, protocol: 1, pcre: 1 });
    expect(r.ruleSet.size).toBe(1);
  });

  it('refuses malformed headers and unknown classtypes', () => {
    const r = load(
      [
        'alert tcp any any > any any (sid:1;)',
        'alert tcp [1.2.3.4 any -> any any (sid:2;)',
        'alert tcp any any -> any any (classtype:nope; sid:3;)',
        'alert tcp $NOPE any -> any any (sid:4;)',
        'alert tcp any 70000 -> any any (sid:5;)',
        'alert tcp any any -> any any (content:"a"; within:0; sid:6;)',
      ].join('\n'),
      true,
    );
    expect(r.issues.map((i) => [i.sid, i.kind, i.keyword])).toEqual([
      [1, 'syntax', 'direction'],
      [2, 'syntax', 'header'],
      [3, 'syntax', 'classtype'],
      [4, 'syntax', 'header'],
      [5, 'syntax', 'header'],
      [6, 'syntax', 'within'],
    ]);
  });
});

describe('single-rule API', () => {
  it('throws typed errors naming the keyword', () => {
    expect(
      compileRuleText('alert tcp any any -> any any (content:"a"; sid:1;)', { classifications: new Map() })
        .ruleSet.size,
    ).toBe(1);
    expect(() => compileRuleText('alert tcp any any -> any any (tag:session; sid:1;)')).toThrowError(
      expect.objectContaining({
        code: 'SENTRA_ERR_RULE_UNSUPPORTED',
        details: expect.objectContaining({ keyword: 'tag' }),
      }),
    );
    expect(() => compileRuleText('alert tcp any any -> any any (content:"a"; depth:0; sid:1;)')).toThrowError(
      expect.objectContaining({
        code: 'SENTRA_ERR_RULE_SYNTAX',
        details: expect.objectContaining({ keyword: 'depth' }),
      }),
    );
    expect(() => compileRuleText('# nothing')).toThrowError(
      expect.objectContaining({ code: 'SENTRA_ERR_RULE_SYNTAX' }),
    );
  });
});
