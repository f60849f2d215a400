/**
 * The sans-I/O HTTP/1.1 head parser and body framer. The smuggling cases are the ones from
 * RFC 9112 sections 6.1 and 6.3 and PortSwigger's CL.TE / TE.CL / TE.TE write-ups; Node's own
 * llhttp refuses the same set (checked in the proxy's integration tests through real sockets).
 */
import { describe, expect, it } from 'vitest';
import {
  BODY_CHUNKED,
  BODY_CLOSE,
  BODY_LENGTH,
  BodyFramer,
  frameResponseBody,
} from '../../src/proxy/http/body.js';
import {
  findHeadEnd,
  H_HOST,
  H_X_FORWARDED_FOR,
  HttpHead,
  parseRequestHead,
  parseResponseHead,
} from '../../src/proxy/http/head.js';
import { parseAbsoluteTarget, parseAuthority } from '../../src/proxy/http/uri.js';

function req(text: string): { rc: number; h: HttpHead } {
  const buf = Buffer.from(text, 'latin1');
  const end = findHeadEnd(buf, 0, 0);
  const h = new HttpHead(64);
  if (end < 0) return { rc: -end, h };
  return { rc: parseRequestHead(h, buf, 0, end), h };
}

function res(text: string): { rc: number; h: HttpHead } {
  const buf = Buffer.from(text, 'latin1');
  const end = findHeadEnd(buf, 0, 0);
  const h = new HttpHead(64);
  return { rc: parseResponseHead(h, buf, 0, end), h };
}

describe('request head parser', () => {
  it('parses method, target, version and headers, keeping offsets into the buffer', () => {
    const { rc, h } = req(
      'GET /a?b=1 HTTP/1.1\r\nHost: example.com\r\nX-Forwarded-For: 1.2.3.4\r\nX-A:  v  \r\n\r\n',
    );
    expect(rc).toBe(0);
    expect(h.method).toBe('GET');
    expect(h.target).toBe('/a?b=1');
    expect(h.versionMinor).toBe(1);
    expect(h.count).toBe(3);
    expect(h.get(H_HOST)).toBe('example.com');
    expect(h.get(H_X_FORWARDED_FOR)).toBe('1.2.3.4');
    expect(h.getByName('x-a')).toBe('v');
    expect(h.keepAlive).toBe(true);
    expect(h.dropCount).toBe(0);
  });

  it('marks hop-by-hop headers and the ones named in Connection', () => {
    const { rc, h } = req(
      'GET / HTTP/1.1\r\nHost: a\r\nConnection: close, X-Secret\r\nKeep-Alive: 5\r\nX-Secret: 1\r\nTE: trailers\r\nX-Ok: 2\r\n\r\n',
    );
    expect(rc).toBe(0);
    expect(h.keepAlive).toBe(false);
    const dropped = [...Array(h.count).keys()].filter((i) => h.drop[i] === 1).map((i) => h.name(i));
    expect(dropped.sort()).toEqual(['connection', 'keep-alive', 'te', 'x-secret']);
  });

  it('does not let Connection strip the framing headers', () => {
    const { rc, h } = req(
      'POST / HTTP/1.1\r\nHost: a\r\nConnection: Content-Length\r\nContent-Length: 3\r\n\r\n',
    );
    expect(rc).toBe(0);
    const cl = [...Array(h.count).keys()].find((i) => h.name(i) === 'content-length')!;
    expect(h.drop[cl]).toBe(0);
  });

  it('HTTP/1.0 is close by default and keep-alive on request', () => {
    expect(req('GET / HTTP/1.0\r\n\r\n').h.keepAlive).toBe(false);
    expect(req('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n').h.keepAlive).toBe(true);
  });

  it.each([
    [
      'CL and TE together (CL.TE / TE.CL)',
      'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n',
      400,
    ],
    [
      'two different Content-Lengths',
      'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\n',
      400,
    ],
    ['a Content-Length list', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4, 4\r\n\r\n', 400],
    ['a signed Content-Length', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +4\r\n\r\n', 400],
    ['chunked not last', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n', 400],
    [
      'a coding besides chunked',
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n',
      501,
    ],
    [
      'chunked twice',
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n',
      501,
    ],
    [
      'an obfuscated coding (TE.TE)',
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n',
      400,
    ],
    ['TE in HTTP/1.0', 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n', 400],
    ['whitespace before the colon', 'GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n', 400],
    ['obsolete line folding', 'GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n', 400],
    ['a bare LF line ending', 'GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n', 400],
    ['a bare CR inside a value', 'GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n', 400],
    ['a NUL in a value', 'GET / HTTP/1.1\r\nHost: a\x00b\r\n\r\n', 400],
    ['two Host headers', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 400],
    ['HTTP/1.1 without Host', 'GET / HTTP/1.1\r\nX: 1\r\n\r\n', 400],
    ['two spaces in the request line', 'GET  / HTTP/1.1\r\nHost: a\r\n\r\n', 400],
    ['a control character in the target', 'GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n', 400],
    ['HTTP/2 over HTTP/1 framing', 'GET / HTTP/2.0\r\nHost: a\r\n\r\n', 505],
    ['an empty header name', 'GET / HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n', 400],
  ])('refuses %s', (_what, text, status) => {
    expect(req(text).rc).toBe(status);
  });

  it('accepts repeated identical Content-Length and a chunked request', () => {
    const a = req('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\ncontent-length: 4\r\n\r\n');
    expect(a.rc).toBe(0);
    expect(a.h.contentLength).toBe(4);
    const b = req('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n');
    expect(b.rc).toBe(0);
    expect(b.h.chunked).toBe(true);
  });

  it('findHeadEnd waits for more bytes and refuses a bare-LF blank line', () => {
    expect(findHeadEnd(Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n'), 0, 0)).toBe(-1);
    expect(findHeadEnd(Buffer.from('GET / HTTP/1.1\nHost: a\n\n'), 0, 0)).toBe(-2);
    expect(findHeadEnd(Buffer.from('GET / HTTP/1.1\r\n\r\nrest'), 0, 0)).toBe(18);
  });
});

describe('response head parser and body framing', () => {
  it('parses the status line and picks the framing per RFC 9112 6.3', () => {
    const f = new BodyFramer();
    const a = res('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n');
    expect(a.rc).toBe(0);
    expect(a.h.status).toBe(200);
    frameResponseBody(f, a.h, 'GET');
    expect(f.mode).toBe(BODY_LENGTH);
    frameResponseBody(f, a.h, 'HEAD');
    expect(f.done).toBe(true);
    const b = res('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n');
    frameResponseBody(f, b.h, 'GET');
    expect(f.mode).toBe(BODY_CHUNKED);
    const c = res('HTTP/1.0 200 OK\r\n\r\n');
    frameResponseBody(f, c.h, 'GET');
    expect(f.mode).toBe(BODY_CLOSE);
    expect(c.h.keepAlive).toBe(false);
    const d = res('HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n');
    frameResponseBody(f, d.h, 'GET');
    expect(f.done).toBe(true);
    expect(res('HTTP/1.1 200\r\n\r\n').rc).toBe(0);
  });

  it('refuses malformed upstream heads with 502', () => {
    expect(res('HTTP/1.1 20 OK\r\n\r\n').rc).toBe(502);
    expect(res('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n').rc).toBe(502);
    expect(res('ICY 200 OK\r\n\r\n').rc).toBe(502);
  });
});

describe('chunked body framer', () => {
  function feed(f: BodyFramer, parts: string[]): { consumed: number; data: string } {
    let data = '';
    f.sink = (b, s, e) => {
      data += b.toString('latin1', s, e);
    };
    let consumed = 0;
    for (const p of parts) {
      const n = f.consume(Buffer.from(p, 'latin1'), 0, p.length);
      if (n < 0) return { consumed: -1, data };
      consumed += n;
    }
    return { consumed, data };
  }

  it('decodes chunks split at every byte boundary, with extensions and trailers', () => {
    const body = '5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n';
    for (let cut = 1; cut < body.length; cut++) {
      const f = new BodyFramer();
      f.startChunked();
      const r = feed(f, [body.slice(0, cut), body.slice(cut)]);
      expect(r.consumed).toBe(body.length);
      expect(r.data).toBe('hello world');
      expect(f.done).toBe(true);
    }
  });

  it('stops exactly at the end of the body (the rest is the next message)', () => {
    const f = new BodyFramer();
    f.startChunked();
    const text = '3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n';
    expect(f.consume(Buffer.from(text), 0, text.length)).toBe(13);
    expect(f.done).toBe(true);
  });

  it.each([
    ['a non-hex size', 'g\r\n'],
    ['a size followed by junk', '5 x\r\n'],
    ['a bare LF after the size', '5\nhello\r\n'],
    ['data longer than the size', '3\r\nabcd\r\n'],
    ['a bare LF ending the body', '0\r\n\n'],
    ['an oversized chunk size', 'fffffffffffffff\r\n'],
  ])('refuses %s', (_what, text) => {
    const f = new BodyFramer();
    f.startChunked();
    expect(f.consume(Buffer.from(text), 0, text.length)).toBe(-1);
  });

  it('counts a Content-Length body exactly', () => {
    const f = new BodyFramer();
    f.startLength(4);
    expect(f.consume(Buffer.from('ab'), 0, 2)).toBe(2);
    expect(f.done).toBe(false);
    expect(f.consume(Buffer.from('cdGET'), 0, 5)).toBe(2);
    expect(f.done).toBe(true);
  });
});

describe('request targets', () => {
  it('parses absolute-form targets', () => {
    expect(parseAbsoluteTarget('http://Example.COM/a?b')).toMatchObject({
      scheme: 'http',
      host: 'example.com',
      port: 80,
      path: '/a?b',
      hostHeader: 'example.com',
    });
    expect(parseAbsoluteTarget('http://[::1]:8080')).toMatchObject({
      host: '::1',
      port: 8080,
      path: '/',
      hostHeader: '[::1]:8080',
    });
    expect(parseAbsoluteTarget('https://a.b:443/x')).toMatchObject({ scheme: 'https', port: 443 });
    expect(parseAbsoluteTarget('/relative')).toBeNull();
    expect(parseAbsoluteTarget('http://user@evil.com/')).toBeNull();
    expect(parseAbsoluteTarget('http://a b/')).toBeNull();
    expect(parseAbsoluteTarget('http://a:99999/')).toBeNull();
  });

  it('parses CONNECT authorities', () => {
    expect(parseAuthority('example.com:443', -1)).toMatchObject({ host: 'example.com', port: 443 });
    expect(parseAuthority('[2001:db8::1]:8443', -1)).toMatchObject({ host: '2001:db8::1', port: 8443 });
    expect(parseAuthority('example.com:', -1)).toBeNull();
  });
});
