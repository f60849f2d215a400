import { describe, expect, it } from 'vitest';
import { BufferId } from '../../src/ids/match/buffers.js';
import { MatchResult } from '../../src/ids/match/detect.js';
import { FlowVars } from '../../src/ids/match/flow-vars.js';
import { InputKind } from '../../src/ids/match/input.js';
import { detectorFor, sids, tcpInput, txInput } from './match-helpers.js';

describe('rule header', () => {
  const det = detectorFor(
    [
      'alert tcp $HOME_NET any -> $EXTERNAL_NET 80 (msg:"out"; content:"x"; sid:1;)',
      'alert tcp $EXTERNAL_NET any -> $HOME_NET any (msg:"in"; content:"x"; sid:2;)',
      'alert tcp any any <> 203.0.113.0/24 [80,443] (msg:"bi"; content:"x"; sid:3;)',
      'alert udp any any -> any any (msg:"udp"; content:"x"; sid:4;)',
      'alert ip any any -> any any (msg:"ip"; content:"x"; sid:5;)',
      'alert tcp any ![1024:] -> any !80 (msg:"ports"; content:"x"; sid:6;)',
    ].join('\n'),
  );

  it('matches addresses, ports, protocol and direction', () => {
    expect(sids(det, tcpInput('x'))).toEqual([1, 3, 5]);
    // the reply: swapped addresses and ports
    const back = tcpInput('x', {
      src: new Uint8Array([203, 0, 113, 5]),
      dst: new Uint8Array([192, 168, 1, 10]),
      srcPort: 80,
      dstPort: 40000,
      toServer: false,
    });
    // sid 6 too: source port 80 is below 1024 and destination port 40000 is not 80
    expect(sids(det, back)).toEqual([2, 3, 5, 6]);
    expect(sids(det, tcpInput('x', { ipProto: 17 }))).toEqual([4, 5]);
    expect(sids(det, tcpInput('x', { srcPort: 1000, dstPort: 81 }))).toEqual([5, 6]);
  });

  it('handles IPv6 addresses', () => {
    const d = detectorFor('alert tcp [2001:db8::/32,!2001:db8::1] any -> any any (content:"x"; sid:1;)');
    const v6 = (last: number) => {
      const a = new Uint8Array(16);
      a.set([0x20, 0x01, 0x0d, 0xb8]);
      a[15] = last;
      return a;
    };
    expect(sids(d, tcpInput('x', { ipVersion: 6, src: v6(2), dst: v6(9) }))).toEqual([1]);
    expect(sids(d, tcpInput('x', { ipVersion: 6, src: v6(1), dst: v6(9) }))).toEqual([]);
  });
});

describe('flow and packet keywords', () => {
  it('flow direction and state', () => {
    const det = detectorFor(
      [
        'alert tcp any any -> any any (flow:to_server,established; content:"x"; sid:1;)',
        'alert tcp any any -> any any (flow:to_client; content:"x"; sid:2;)',
        'alert tcp any any -> any any (flow:not_established; content:"x"; sid:3;)',
        'alert tcp any any -> any any (flow:stateless; content:"x"; sid:4;)',
      ].join('\n'),
    );
    expect(sids(det, tcpInput('x'))).toEqual([1, 4]);
    expect(sids(det, tcpInput('x', { toServer: false, established: false }))).toEqual([2, 3, 4]);
    expect(sids(det, tcpInput('x', { hasFlow: false, flowVars: null }))).toEqual([]);
  });

  it('only_stream / no_stream / dsize pick packet or stream payload', () => {
    const det = detectorFor(
      [
        'alert tcp any any -> any any (flow:only_stream; content:"x"; sid:1;)',
        'alert tcp any any -> any any (flow:no_stream; content:"x"; sid:2;)',
        'alert tcp any any -> any any (content:"x"; sid:3;)',
        'alert tcp-pkt any any -> any any (content:"x"; sid:4;)',
        'alert tcp any any -> any any (content:"x"; dsize:1; sid:5;)',
      ].join('\n'),
    );
    expect(sids(det, tcpInput('x'))).toEqual([2, 3, 4, 5]);
    expect(sids(det, tcpInput('x', { kind: InputKind.STREAM }))).toEqual([1, 3]);
  });

  it('flags, ttl, icmp fields', () => {
    const det = detectorFor(
      [
        'alert tcp any any -> any any (flags:S,12; sid:1;)',
        'alert tcp any any -> any any (flags:SA; sid:2;)',
        'alert tcp any any -> any any (flags:+S; sid:3;)',
        'alert tcp any any -> any any (flags:0; sid:4;)',
        'alert ip any any -> any any (ttl:<10; sid:5;)',
        'alert icmp any any -> any any (itype:8; icode:0; icmp_id:77; icmp_seq:>1; sid:6;)',
      ].join('\n'),
    );
    expect(sids(det, tcpInput('', { tcpFlags: 0x02 }))).toEqual([1, 3]);
    // CWR/ECE are ignored by the mask "12"
    expect(sids(det, tcpInput('', { tcpFlags: 0xc2 }))).toEqual([1, 3]);
    expect(sids(det, tcpInput('', { tcpFlags: 0x12 }))).toEqual([2, 3]);
    expect(sids(det, tcpInput('', { tcpFlags: 0 }))).toEqual([4]);
    expect(sids(det, tcpInput('', { tcpFlags: 0x10, ttl: 3 }))).toEqual([5]);
    const icmp = tcpInput('', { ipProto: 1, tcpFlags: -1, icmpType: 8, icmpCode: 0, icmpId: 77, icmpSeq: 2 });
    expect(sids(det, icmp)).toEqual([6]);
    expect(
      sids(det, tcpInput('', { ipProto: 1, tcpFlags: -1, icmpType: 8, icmpCode: 0, icmpId: 77, icmpSeq: 1 })),
    ).toEqual([]);
  });
});

describe('flowbits, flowint, xbits', () => {
  it('a setter runs before a checker on the same packet, and state persists on the flow', () => {
    const det = detectorFor(
      [
        'alert tcp any any -> any any (msg:"check"; content:"b"; flowbits:isset,seen; sid:10;)',
        'alert tcp any any -> any any (msg:"set"; content:"a"; flowbits:set,seen; flowbits:noalert; sid:20;)',
        'alert tcp any any -> any any (msg:"not"; content:"c"; flowbits:isnotset,seen; sid:30;)',
        'alert tcp any any -> any any (msg:"unset"; content:"d"; flowbits:unset,seen; sid:40;)',
      ].join('\n'),
    );
    // evaluation order: setters (20, 40) before readers
    expect(det.rules.rules.map((r) => r.sid)).toEqual([20, 40, 10, 30]);
    const fv = new FlowVars();
    expect(sids(det, tcpInput('b c', { flowVars: fv }))).toEqual([30]);
    expect(sids(det, tcpInput('a b', { flowVars: fv }))).toEqual([20, 10]);
    expect(sids(det, tcpInput('b c', { flowVars: fv }))).toEqual([10]);
    expect(sids(det, tcpInput('d b c', { flowVars: fv }))).toEqual([40, 30]);
  });

  it('flowint counts per flow', () => {
    const det = detectorFor(
      [
        'alert tcp any any -> any any (content:"login failed"; flowint:fails,+,1; noalert; sid:1;)',
        'alert tcp any any -> any any (content:"login failed"; flowint:fails,isset; flowint:fails,>,2; sid:2;)',
      ].join('\n'),
    );
    const fv = new FlowVars();
    const hits = [1, 2, 3, 4].map(() => sids(det, tcpInput('login failed', { flowVars: fv })).includes(2));
    expect(hits).toEqual([false, false, true, true]);
  });

  it('xbits track a host across flows and expire', () => {
    const det = detectorFor(
      [
        'alert tcp any any -> any any (content:"evil"; xbits:set,bad,track ip_src,expire 10; noalert; sid:1;)',
        'alert tcp any any -> any any (content:"hi"; xbits:isset,bad,track ip_src; sid:2;)',
      ].join('\n'),
    );
    expect(sids(det, tcpInput('evil', { time: 100 }))).toEqual([1]);
    expect(sids(det, tcpInput('hi', { time: 105, flowVars: new FlowVars() }))).toEqual([2]);
    expect(sids(det, tcpInput('hi', { time: 111 }))).toEqual([]);
    expect(sids(det, tcpInput('hi', { time: 105, src: new Uint8Array([1, 2, 3, 4]) }))).toEqual([]);
  });
});

describe('transaction buffers', () => {
  const det = detectorFor(
    [
      'alert http any any -> any any (msg:"uri"; flow:established,to_server; http.method; content:"POST"; http.uri; content:"/upload"; startswith; sid:1;)',
      'alert http any any -> any any (msg:"resp"; flow:established,to_client; http.stat_code; content:"404"; sid:2;)',
      'alert http any any -> any any (msg:"hdr either side"; http.header; content:"X-Evil|3a|"; sid:3;)',
      'alert http any any -> any any (msg:"hdr request"; flow:to_server; http.header; content:"X-Evil|3a|"; sid:4;)',
      'alert dns any any -> any any (msg:"dns"; dns.query; content:"bad.example"; nocase; endswith; sid:5;)',
      'alert dns any any -> any any (msg:"dotprefix"; dns.query; dotprefix; content:".example"; endswith; sid:6;)',
      'alert http any any -> any any (msg:"mixed"; flow:to_server; content:"raw"; http.uri; content:"/upload"; sid:7;)',
    ].join('\n'),
  );

  it('request and response sides', () => {
    expect(sids(det, txInput({ 'http.method': 'POST', 'http.uri': '/upload?a=1' }))).toEqual([1]);
    expect(sids(det, txInput({ 'http.method': 'GET', 'http.uri': '/upload' }))).toEqual([]);
    const resp = txInput({ 'http.uri': '/x', 'resp:http.stat_code': '404' }, { toServer: false });
    expect(sids(det, resp)).toEqual([2]);
    // a to_client rule is not evaluated on a request-side inspection
    expect(sids(det, txInput({ 'resp:http.stat_code': '404' }))).toEqual([]);
  });

  it('a both-sides buffer follows the rule direction, or the inspected side', () => {
    expect(sids(det, txInput({ 'http.header': 'X-Evil: 1\r\n' }))).toEqual([3, 4]);
    const resp = txInput({ 'resp:http.header': 'X-Evil: 1\r\n' }, { toServer: false });
    expect(sids(det, resp)).toEqual([3]);
  });

  it('multi-instance buffers match on any instance; transforms apply per instance', () => {
    const inp = txInput({}, { appProto: 'dns', ipProto: 17 });
    inp.buffers.slot(BufferId.DNS_QUERY, true).add(Buffer.from('good.org'));
    inp.buffers.slot(BufferId.DNS_QUERY, true).add(Buffer.from('WWW.BAD.EXAMPLE'));
    expect(sids(det, inp)).toEqual([5]);
    const inp2 = txInput({}, { appProto: 'dns', ipProto: 17 });
    inp2.buffers.slot(BufferId.DNS_QUERY, true).add(Buffer.from('example'));
    expect(sids(det, inp2)).toEqual([6]);
  });

  it('app-layer rules need the flow protocol; mixed rules read pkt_data on the transaction', () => {
    expect(sids(det, txInput({ 'http.method': 'POST', 'http.uri': '/upload' }, { appProto: 'tls' }))).toEqual(
      [],
    );
    const mixed = txInput({ 'http.uri': '/upload' });
    mixed.buffers.set(BufferId.PKT_DATA, true, Buffer.from('POST /upload raw'));
    expect(sids(det, mixed)).toEqual([7]);
  });
});

describe('actions', () => {
  it('a matching pass rule stops the rules after it', () => {
    const det = detectorFor(
      'alert tcp any any -> any any (content:"x"; sid:1;)\npass tcp any any -> any any (content:"ok"; sid:2;)',
    );
    expect(sids(det, tcpInput('x'))).toEqual([1]);
    expect(sids(det, tcpInput('x ok'))).toEqual([2]);
  });

  it('app-layer-protocol keyword', () => {
    const det = detectorFor(
      'alert tcp any any -> any any (app-layer-protocol:http; content:"x"; sid:1;)\nalert tcp any any -> any any (app-layer-protocol:!http; content:"x"; sid:2;)',
    );
    expect(sids(det, tcpInput('x', { appProto: 'http' }))).toEqual([1]);
    expect(sids(det, tcpInput('x', { appProto: 'tls' }))).toEqual([2]);
  });
});

describe('rules without a fast pattern', () => {
  it('IP-reputation rules match only their listed addresses, either side', () => {
    const det = detectorFor(
      [
        'alert ip [1.2.3.4,5.6.7.0/24] any -> $HOME_NET any (msg:"bad src"; sid:1;)',
        'alert ip $HOME_NET any -> [9.9.9.9,5.6.7.0/24] any (msg:"bad dst"; sid:2;)',
        'alert tcp $EXTERNAL_NET any -> $HOME_NET 22 (msg:"ssh"; flags:S,12; sid:3;)',
        'alert tcp $HOME_NET 3389 -> any any (msg:"rdp"; flags:SA; sid:4;)',
      ].join('\n'),
    );
    const home = new Uint8Array([192, 168, 1, 10]);
    const inbound = (a: number[]) =>
      tcpInput('', { src: new Uint8Array(a), dst: home, tcpFlags: 0x02, dstPort: 22 });
    expect(sids(det, inbound([5, 6, 7, 9]))).toEqual([1, 3]);
    expect(sids(det, inbound([1, 2, 3, 4]))).toEqual([1, 3]);
    expect(sids(det, inbound([5, 6, 8, 1]))).toEqual([3]);
    expect(sids(det, tcpInput('', { src: home, dst: new Uint8Array([9, 9, 9, 9]), tcpFlags: 0x10 }))).toEqual(
      [2],
    );
    expect(sids(det, tcpInput('', { src: home, srcPort: 3389, tcpFlags: 0x12 }))).toEqual([4]);
  });

  it('lists mixing IPv4 and IPv6 addresses match both families', () => {
    const det = detectorFor('alert tcp [1.1.1.1,2001:db8::5] any -> any any (msg:"mixed"; sid:7;)');
    const v6 = (last: number) => {
      const a = new Uint8Array(16);
      a.set([0x20, 0x01, 0x0d, 0xb8]);
      a[15] = last;
      return a;
    };
    expect(sids(det, tcpInput('', { src: new Uint8Array([1, 1, 1, 1]) }))).toEqual([7]);
    expect(sids(det, tcpInput('', { ipVersion: 6, src: v6(5), dst: v6(9) }))).toEqual([7]);
    expect(sids(det, tcpInput('', { ipVersion: 6, src: v6(6), dst: v6(9) }))).toEqual([]);
  });
});

describe('rules without a fast pattern, indexed by their IPv6 addresses', () => {
  // HeaderIndex keys such rules by the first 32 bits of their IPv6 ranges: a prefix shorter
  // than /32, one inside a /32 shared with other addresses, and destinations
  const rules = [
    'alert tcp [2001:d00::/24] any -> any any (msg:"wide"; sid:1;)',
    'alert tcp [2001:db8::5,2001:db8::7] any -> any any (msg:"two hosts"; sid:2;)',
    'alert tcp any any -> [fd00:1:2:3::/64] any (msg:"dst net"; sid:3;)',
    'alert tcp [10.0.0.1] any -> any any (msg:"v4 only"; sid:4;)',
  ].join('\n');
  const det = detectorFor(rules);
  const v6 = (...words: number[]) => {
    const a = new Uint8Array(16);
    words.forEach((w, i) => {
      a[i * 2] = w >> 8;
      a[i * 2 + 1] = w & 0xff;
    });
    return a;
  };
  const at = (src: Uint8Array, dst: Uint8Array) => sids(det, tcpInput('', { ipVersion: 6, src, dst }));
  const other = v6(0x2a00, 1);

  it('finds each rule for the addresses its list holds, and only those', () => {
    expect(at(v6(0x2001, 0x0dff, 0, 0, 0, 0, 0, 9), other)).toEqual([1]);
    expect(at(v6(0x2001, 0x0db8, 0, 0, 0, 0, 0, 5), other)).toEqual([1, 2]);
    // same first 32 bits as the two hosts, another address: a candidate that evaluation rejects
    expect(at(v6(0x2001, 0x0db8, 0, 0, 0, 0, 0, 6), other)).toEqual([1]);
    expect(at(v6(0x2001, 0x0e00), other)).toEqual([]);
    expect(at(other, v6(0xfd00, 1, 2, 3, 0, 0, 0, 1))).toEqual([3]);
    expect(at(other, v6(0xfd00, 1, 2, 4))).toEqual([]);
  });

  it('repeated and alternating lookups give the same answers', () => {
    for (let i = 0; i < 3; i++) {
      expect(at(v6(0x2001, 0x0db8, 0, 0, 0, 0, 0, 7), v6(0xfd00, 1, 2, 3))).toEqual([1, 2, 3]);
      expect(at(other, other)).toEqual([]);
    }
  });
});

describe('HTTP buffers from a parsed transaction', () => {
  it('builds Suricata buffers: merged headers, header names, user agent, host', async () => {
    const { setHttpRequestBuffers, setHttpResponseBuffers } = await import(
      '../../src/ids/match/http-buffers.js'
    );
    const { bufferIdByName } = await import('../../src/ids/match/buffers.js');
    const inp = txInput({});
    setHttpRequestBuffers(inp.buffers, {
      method: 'GET',
      rawUri: '/a%20b?x=1',
      normalizedUri: '/a b?x=1',
      protocol: 'HTTP/1.1',
      headers: [
        { name: 'Host', value: 'WWW.Example.com:8080' },
        { name: 'User-Agent', value: 'SuriTester/0.8' },
        { name: 'User-Agent', value: 'GGGG' },
        { name: 'Cookie', value: 'a=1' },
        { name: 'X-Pad', value: 'v  ' },
      ],
      rawHeaders: Buffer.from('Host: WWW.Example.com:8080\r\n\r\n'),
    });
    setHttpResponseBuffers(inp.buffers, {
      protocol: 'HTTP/1.1',
      statusCode: '200',
      statusMsg: 'OK',
      headers: [
        { name: 'Set-Cookie', value: 's=2' },
        { name: 'Server', value: 'nginx' },
      ],
    });
    const get = (name: string, toServer = true) =>
      Buffer.from(inp.buffers.slot(bufferIdByName(name)!, toServer).items[0].data).toString('latin1');
    // docs example: two User-Agent headers become "SuriTester/0.8, GGGG"
    expect(get('http.user_agent')).toBe('SuriTester/0.8, GGGG');
    expect(get('http.header')).toBe(
      'Host: WWW.Example.com:8080\r\nUser-Agent: SuriTester/0.8, GGGG\r\nX-Pad: v\r\n',
    );
    expect(get('http.header_names')).toBe('\r\nHost\r\nUser-Agent\r\nCookie\r\nX-Pad\r\n\r\n');
    expect(get('http.cookie')).toBe('a=1');
    expect(get('http.host')).toBe('www.example.com');
    expect(get('http.host.raw')).toBe('WWW.Example.com:8080');
    expect(get('http.request_line')).toBe('GET /a%20b?x=1 HTTP/1.1');
    expect(get('http.start')).toBe('GET /a%20b?x=1 HTTP/1.1\r\nHost: WWW.Example.com:8080\r\n\r\n');
    expect(get('http.cookie', false)).toBe('s=2');
    expect(get('http.header', false)).toBe('Server: nginx\r\n');
    expect(get('http.response_line', false)).toBe('HTTP/1.1 200 OK');
    const det = detectorFor(
      'alert http any any -> any any (flow:to_client; http.server; content:"nginx"; http.uri; content:"/a b"; sid:1;)',
    );
    inp.toServer = false;
    expect(sids(det, inp)).toEqual([1]);
  });
});

describe('flow variables without a flow', () => {
  it('flowbits (isnotset too) and flowint do not match flowless packets', () => {
    const det = detectorFor(
      'alert tcp any any -> any any (content:"x"; flowbits:isnotset,a; sid:1;)\nalert tcp any any -> any any (content:"x"; flowint:n,notset; sid:2;)\nalert tcp any any -> any any (content:"x"; sid:3;)',
    );
    expect(sids(det, tcpInput('x', { hasFlow: false, flowVars: null }))).toEqual([3]);
    expect(sids(det, tcpInput('x'))).toEqual([1, 2, 3]);
  });
});

describe('action order', () => {
  it("follows Suricata's action-order setting", async () => {
    const { loadRulesFromString } = await import('../../src/ids/rules/loader.js');
    const text =
      'alert tcp any any -> any any (sid:1;)\ndrop tcp any any -> any any (sid:2;)\npass tcp any any -> any any (sid:3;)';
    const def = loadRulesFromString(text, { classifications: new Map() });
    expect(def.ruleSet.rules.map((r) => r.sid)).toEqual([3, 2, 1]);
    const custom = loadRulesFromString(text, {
      classifications: new Map(),
      actionOrder: ['drop', 'pass', 'reject', 'alert'],
    });
    expect(custom.ruleSet.rules.map((r) => r.sid)).toEqual([2, 3, 1]);
  });
});

describe('transactions', () => {
  it('a rule fires once per transaction when the fired set is passed', () => {
    const det = detectorFor('alert http any any -> any any (http.uri; content:"/x"; flowbits:set,b; sid:1;)');
    const fired = new Set<number>();
    const inp = txInput({ 'http.uri': '/x' });
    const out = new MatchResult();
    det.detect(inp, out, fired);
    expect(out.count).toBe(1);
    det.detect(inp, out, fired);
    expect(out.count).toBe(0);
    det.detect(inp, out);
    expect(out.count).toBe(1);
  });
});

describe('growing HTTP bodies (file.data scanned incrementally per transaction)', () => {
  const det = detectorFor(
    [
      'alert http any any -> any any (msg:"resp body"; flow:to_client; file_data; content:"needle"; sid:1;)',
      'alert http any any -> any any (msg:"req body"; http.request_body; content:"HayStack"; sid:2;)',
      'alert http any any -> any any (msg:"twice"; file_data; content:"abc"; content:"xyz"; distance:0; sid:3;)',
    ].join('\n'),
  );

  /** TX inspection of the response body `data[0, len)` on transaction key `tx`. */
  const run = (data: Uint8Array, len: number, tx: Set<number> | undefined, toServer = false) => {
    const inp = txInput({}, { toServer });
    inp.buffers.set(BufferId.FILE_DATA, toServer, data.subarray(0, len));
    if (toServer) inp.buffers.set(BufferId.HTTP_REQUEST_BODY, true, data.subarray(0, len));
    else inp.buffers.set(BufferId.HTTP_RESPONSE_BODY, false, data.subarray(0, len));
    const out = new MatchResult();
    det.detect(inp, out, tx);
    return out.rules.slice(0, out.count).map((r) => r.sid);
  };

  it('finds a pattern split across two updates of the same body, as a whole scan does', () => {
    // one backing array that fills up, as the HTTP parser's body buffer does
    const body = new Uint8Array(64);
    const text = Buffer.from('....nee|dle...abc....xyz', 'latin1').filter((c) => c !== 0x7c);
    body.set(text);
    const tx = new Set<number>();
    expect(run(body, 7, tx)).toEqual([]);
    // the pattern completes in the new bytes; the earlier part was scanned in the last call
    expect(run(body, 12, tx)).toEqual([1]);
    // rule 1 fired on this transaction already; rule 3's two contents arrive in two updates
    expect(run(body, 18, tx)).toEqual([]);
    expect(run(body, text.length, tx)).toEqual([3]);
    // a whole scan of the same bytes, without a transaction, agrees
    expect(run(body, text.length, undefined)).toEqual([1, 3]);
  });

  it('rescans a body that moved to a new array', () => {
    const tx = new Set<number>();
    const first = Buffer.from('HayStack and more', 'latin1');
    expect(run(first, 3, tx, true)).toEqual([]);
    // grown into a new array (the parser doubles its buffer): the scan starts over
    const moved = new Uint8Array(first.length);
    moved.set(first);
    expect(run(moved, moved.length, tx, true)).toEqual([2]);
    // the same array seen shorter than scanned (another body in it): scanned whole again
    const tx2 = new Set<number>();
    const shared = Buffer.from('needle--------needle', 'latin1');
    expect(run(shared.subarray(14), 6, tx2)).toEqual([1]);
    const tx3 = new Set<number>();
    expect(run(shared.subarray(14), 3, tx3)).toEqual([]);
    expect(run(shared.subarray(14), 6, tx3)).toEqual([1]);
  });
});
