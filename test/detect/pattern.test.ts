/**
 * The custom rule pattern language: the spec's examples parse as written, the general form
 * (field, operator, value, count, window, per), and errors that give the column and what was
 * expected there.
 */
import { describe, expect, it } from 'vitest';
import { compilePattern } from '../../src/detect/pattern/compile.js';
import { EventKind, type MatchContext } from '../../src/detect/pattern/fields.js';
import { ErrorCodes, SentraError } from '../../src/errors.js';

function ctx(over: Partial<MatchContext>): MatchContext {
  return {
    kind: EventKind.HTTP_REQUEST,
    src: 0x0a000001,
    dst: 0x0a000002,
    srcPort: 40000,
    dstPort: 80,
    proto: 6,
    pkt: null,
    req: null,
    resp: null,
    service: '',
    timeUs: 0,
    flowId: 1,
    ...over,
  };
}

const req = (method: string, uri: string, headers: Record<string, string> = {}) => ({
  method,
  rawUri: uri,
  normalizedUri: uri,
  protocol: 'HTTP/1.1',
  headers: Object.entries(headers).map(([name, value]) => ({ name, value })),
});

describe("the spec's examples", () => {
  it('failed login attempts > 10: failed logins of any service, more than 10 per source in 60 s', () => {
    const p = compilePattern('failed login attempts > 10');
    expect(p.kind).toBe(EventKind.LOGIN_FAILURE);
    expect(p.count).toBe(11);
    expect(p.windowSec).toBe(60);
    expect(p.per).toBe('src');
    expect(p.test(ctx({ kind: EventKind.LOGIN_FAILURE, service: 'ftp' }))).toBe(true);
  });
  it('failed SSH login > 5: SSH only', () => {
    const p = compilePattern('failed SSH login > 5');
    expect(p.count).toBe(6);
    expect(p.test(ctx({ kind: EventKind.LOGIN_FAILURE, service: 'ssh' }))).toBe(true);
    expect(p.test(ctx({ kind: EventKind.LOGIN_FAILURE, service: 'ftp' }))).toBe(false);
  });
  it("user-agent contains 'scanner': any case", () => {
    const p = compilePattern("user-agent contains 'scanner'");
    expect(p.kind).toBe(EventKind.HTTP_REQUEST);
    expect(p.count).toBeNull();
    expect(p.test(ctx({ req: req('GET', '/', { 'User-Agent': 'Nikto Web Scanner 2.5' }) }))).toBe(true);
    expect(p.test(ctx({ req: req('GET', '/', { 'User-Agent': 'curl/8' }) }))).toBe(false);
    expect(p.test(ctx({ req: req('GET', '/') }))).toBe(false);
  });
  it('HTTP method in [TRACE, TRACK, DEBUG]', () => {
    const p = compilePattern('HTTP method in [TRACE, TRACK, DEBUG]');
    expect(p.test(ctx({ req: req('TRACE', '/') }))).toBe(true);
    expect(p.test(ctx({ req: req('debug', '/') }))).toBe(true);
    expect(p.test(ctx({ req: req('GET', '/') }))).toBe(false);
  });
});

describe('the general form', () => {
  it('field operator value, count, window and per in any order', () => {
    const p = compilePattern(
      "http.uri contains '/wp-login.php' and method == POST count >= 20 within 2m per source",
    );
    expect(p.count).toBe(20);
    expect(p.windowSec).toBe(120);
    expect(p.test(ctx({ req: req('POST', '/wp-login.php') }))).toBe(true);
    expect(p.test(ctx({ req: req('GET', '/wp-login.php') }))).toBe(false);
    const q = compilePattern('connections > 100 per destination within 10 seconds');
    expect(q.kind).toBe(EventKind.CONNECTION);
    expect(q.per).toBe('dst');
    expect(q.windowSec).toBe(10);
  });
  it('or, not, parentheses, and the other operators', () => {
    const p = compilePattern(
      "(uri starts with '/admin' or uri ends with '.bak') and not src_ip in [10.0.0.0/8]",
    );
    expect(p.test(ctx({ src: 0xc0a80001, req: req('GET', '/admin/x') }))).toBe(true);
    expect(p.test(ctx({ src: 0x0a000005, req: req('GET', '/admin/x') }))).toBe(false);
    expect(p.test(ctx({ src: 0xc0a80001, req: req('GET', '/db.bak') }))).toBe(true);
    const m = compilePattern("uri matches '^/api/v[0-9]+/users/[0-9]+/delete$'");
    expect(m.test(ctx({ req: req('GET', '/api/v2/users/7/delete') }))).toBe(true);
  });
  it('response fields make a response rule; it still sees request fields', () => {
    const p = compilePattern("http.status >= 500 and uri contains 'cgi'");
    expect(p.kind).toBe(EventKind.HTTP_RESPONSE);
    const resp = { protocol: 'HTTP/1.1', statusCode: '502', statusMsg: 'Bad', headers: [] };
    expect(p.test(ctx({ kind: EventKind.HTTP_RESPONSE, req: req('GET', '/cgi-bin/x'), resp }))).toBe(true);
  });
  it('packet fields: ports, protocol, address equality', () => {
    const p = compilePattern('protocol == udp and dst_port in [1900, 5353] and dst_ip != 10.0.0.2');
    expect(p.kind).toBe(EventKind.PACKET);
    expect(p.test(ctx({ kind: EventKind.PACKET, proto: 17, dstPort: 1900, dst: 0x0a000003 }))).toBe(true);
    expect(p.test(ctx({ kind: EventKind.PACKET, proto: 17, dstPort: 1900, dst: 0x0a000002 }))).toBe(false);
  });
});

function errorOf(pattern: string): SentraError {
  try {
    compilePattern(pattern);
  } catch (e) {
    expect(e).toBeInstanceOf(SentraError);
    return e as SentraError;
  }
  throw new Error(`"${pattern}" parsed`);
}

describe('errors give the position and what was expected', () => {
  const cases: Array<[string, number, RegExp]> = [
    ['failed login attempts >', 23, /whole number/],
    ['failed login attempts > ten', 24, /whole number/],
    ['user-agent containz scanner', 11, /operator/],
    ["user-agent contains 'scanner", 20, /closing '/],
    ['HTTP method in [TRACE, TRACK', 28, /',' or ']'/],
    ['colour == red', 0, /a field/],
    ['dst_port > http', 11, /number/],
    ['src_ip == 10.0.0.300', 10, /IP address/],
    ['user-agent > 5', 11, /operator for text/],
    ["uri contains 'x' within 5m", 26, /count/],
    ["uri contains 'x' count < 3", 23, /'>' or '>='/],
    ["uri contains 'x' per galaxy", 21, /source, destination or rule/],
    ["uri matches '(unclosed'", 12, /regular expression/],
    ['failed SSH login > 5 and http.status == 401', 25, /failed login events have/],
    ['failed foo login > 1', 7, /login/],
    ['', 0, /a field/],
    ["uri contains 'x' foo", 17, /'and', 'or'/],
  ];
  for (const [pattern, pos, expected] of cases) {
    it(`${JSON.stringify(pattern)} -> column ${pos + 1}`, () => {
      const e = errorOf(pattern);
      expect(e.code).toBe(ErrorCodes.RULE_SYNTAX);
      expect(e.details.position).toBe(pos);
      expect(String(e.details.expected)).toMatch(expected);
      expect(e.message).toContain(`column ${pos + 1}`);
    });
  }
});
