import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { httpEveRecord } from '../../../src/ids/app/http/eve.js';
import { HttpParser } from '../../../src/ids/app/http/parser.js';
import { HttpProgress, type HttpTransaction, HttpTxFlag } from '../../../src/ids/app/http/transaction.js';
import { BufferSet, bufferIdByName } from '../../../src/ids/match/buffers.js';
import { setHttpRequestBuffers, setHttpResponseBuffers } from '../../../src/ids/match/http-buffers.js';

const s = (v: Uint8Array | string | undefined) =>
  v === undefined ? undefined : typeof v === 'string' ? v : Buffer.from(v).toString('latin1');

type Feed = (p: HttpParser, toServer: boolean, data: Buffer) => void;
const whole: Feed = (p, t, d) => {
  p.feed(t, d);
};
const bytewise: Feed = (p, t, d) => {
  for (const b of d) p.feed(t, Uint8Array.of(b));
};
const odd: Feed = (p, t, d) => {
  for (let i = 0; i < d.length; i += 7) p.feed(t, d.subarray(i, i + 7));
};
const FEEDS: Array<[string, Feed]> = [
  ['whole', whole],
  ['one byte at a time', bytewise],
  ['7-byte pieces', odd],
];

/** Runs a request stream then a response stream; returns the transactions and event names. */
function run(feed: Feed, req: Buffer | string, resp: Buffer | string = '', end = false, cfg = {}) {
  const p = new HttpParser(cfg);
  const txs: HttpTransaction[] = [];
  const events: string[] = [];
  const names = Object.fromEntries(Object.entries(HttpProgress).map(([k, v]) => [v, k]));
  const collect = () => {
    for (let i = 0; i < p.eventCount; i++) {
      const e = p.events[i];
      if (!txs.includes(e.tx)) txs.push(e.tx);
      const name = `${e.tx.id}:${names[e.kind]}`;
      // body-grown events repeat with the split; keep one per run of them
      if (events[events.length - 1] !== name) events.push(name);
    }
    p.clearEvents();
  };
  feed(p, true, Buffer.from(req as string, 'latin1'));
  collect();
  feed(p, false, Buffer.from(resp as string, 'latin1'));
  collect();
  if (end) {
    p.end(true);
    p.end(false);
    collect();
  }
  return { p, txs, events };
}

describe.each(FEEDS)('HttpParser (%s)', (_name, feed) => {
  it('request line, headers with folding, raw header block', () => {
    const head =
      'GET /a/b?q=1 HTTP/1.1\r\nHost: Example.com:8080\r\nX-Long: one\r\n\t two\r\nCookie: c=1\r\n\r\n';
    const { txs, events } = run(feed, head);
    expect(events).toEqual(['0:REQUEST_HEADERS', '0:REQUEST_COMPLETE']);
    const r = txs[0].request;
    expect(s(r.method)).toBe('GET');
    expect(s(r.rawUri)).toBe('/a/b?q=1');
    expect(s(r.protocol)).toBe('HTTP/1.1');
    expect(s(r.requestLine)).toBe('GET /a/b?q=1 HTTP/1.1');
    expect(r.headers.map((h) => [s(h.name), s(h.value)])).toEqual([
      ['Host', 'Example.com:8080'],
      ['X-Long', 'one\t two'],
      ['Cookie', 'c=1'],
    ]);
    expect(s(r.rawHeaders)).toBe(head.slice(head.indexOf('\r\n') + 2));
    expect(txs[0].flags & HttpTxFlag.HEADER_FOLDING).toBeTruthy();
  });

  it('request body by Content-Length, then a pipelined request', () => {
    const req = 'POST /f HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET /g HTTP/1.1\r\n\r\n';
    const { txs, events } = run(feed, req);
    expect(events).toEqual([
      '0:REQUEST_HEADERS',
      '0:REQUEST_BODY',
      '0:REQUEST_COMPLETE',
      '1:REQUEST_HEADERS',
      '1:REQUEST_COMPLETE',
    ]);
    expect(s(txs[0].request.body)).toBe('hello');
    expect(s(txs[1].request.rawUri)).toBe('/g');
  });

  it('chunked request body with extensions and trailers', () => {
    const req =
      'POST /u HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4;name=val\r\nWiki\r\n5 \r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Sum: 9\r\n\r\n';
    const { txs } = run(feed, req);
    expect(s(txs[0].request.body)).toBe('Wikipedia in\r\n\r\nchunks.');
    expect(txs[0].request.bodyLength).toBe(23);
    expect(txs[0].requestHeader('x-sum')).toBe('9');
    expect(txs[0].requestComplete).toBe(true);
  });

  it('responses: pipelined, matched to requests in order; HEAD, 204 and 304 have no body', () => {
    const req =
      'HEAD /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\nGET /d HTTP/1.1\r\n\r\n';
    const resp =
      'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n' +
      'HTTP/1.1 204 No Content\r\n\r\n' +
      'HTTP/1.1 304 Not Modified\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
    const { txs } = run(feed, req, resp);
    expect(txs.map((t) => t.response?.status)).toEqual([200, 204, 304, 200]);
    expect(txs.map((t) => t.responseComplete)).toEqual([true, true, true, true]);
    expect(txs[0].response?.body).toBeUndefined();
    expect(s(txs[3].response?.body)).toBe('ok');
    expect(s(txs[3].response?.statusMsg)).toBe('OK');
  });

  it('a 204 or 304 that announces a body has one, as libhtp reads it (http-evader-450, -476)', () => {
    const req = 'GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n';
    const resp =
      'HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\nabc' +
      'HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n';
    const { txs } = run(feed, req, resp);
    expect(txs.map((t) => t.response?.status)).toEqual([204, 304]);
    expect(s(txs[0].response?.body)).toBe('abc');
    expect(s(txs[1].response?.body)).toBe('ok');
  });

  it('a response chunk size that is junk turns the body into identity until close (libhtp)', () => {
    const resp = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: x chunked\r\n\r\nplain body\r\nmore';
    const { txs } = run(feed, 'GET / HTTP/1.1\r\n\r\n', resp, true);
    expect(s(txs[0].response?.body)).toBe('plain body\r\nmore');
    expect(txs[0].responseComplete).toBe(true);
  });

  it('response body until close, completed by end()', () => {
    const { txs, events } = run(feed, 'GET / HTTP/1.0\r\n\r\n', 'HTTP/1.0 200 OK\r\n\r\nall the rest', true);
    expect(s(txs[0].response?.body)).toBe('all the rest');
    expect(events.slice(-3)).toEqual(['0:RESPONSE_HEADERS', '0:RESPONSE_BODY', '0:RESPONSE_COMPLETE']);
  });

  it('100-continue: the interim response does not take the transaction', () => {
    const req = 'POST /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc';
    const resp = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n';
    const { txs } = run(feed, req, resp);
    expect(txs).toHaveLength(1);
    expect(txs[0].interimResponses).toBe(1);
    expect(txs[0].response?.status).toBe(201);
    expect(s(txs[0].request.body)).toBe('abc');
  });

  it('gzip and deflate (zlib and raw) response bodies are decompressed', () => {
    const text = 'decompress me '.repeat(200);
    for (const [enc, data] of [
      ['gzip', gzipSync(text)],
      ['deflate', deflateSync(text)],
      ['deflate', deflateRawSync(text)],
    ] as const) {
      const chunk = `${data.length.toString(16)}\r\n`;
      const resp = Buffer.concat([
        Buffer.from(
          `HTTP/1.1 200 OK\r\nContent-Encoding: ${enc}\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}`,
        ),
        data,
        Buffer.from('\r\n0\r\n\r\n'),
      ]);
      const { txs } = run(feed, 'GET / HTTP/1.1\r\n\r\n', resp);
      expect(s(txs[0].response?.body)).toBe(text);
      expect(txs[0].response?.bodyLength).toBe(data.length);
    }
  });

  it('keepBodies off: bodies are framed and counted (chunked, gzip, request and response) but not kept', () => {
    const text = 'decompress me '.repeat(200);
    const gz = gzipSync(text);
    const resp = Buffer.concat([
      Buffer.from(
        `HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n${gz.length.toString(16)}\r\n`,
      ),
      gz,
      Buffer.from('\r\n0\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n'),
    ]);
    const req = 'POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET /b HTTP/1.1\r\n\r\n';
    const kept = run(feed, req, resp);
    const counted = run(feed, req, resp, false, { keepBodies: false });
    expect(counted.txs.map((t) => t.id)).toEqual(kept.txs.map((t) => t.id));
    expect(
      counted.txs.map((t) => [t.request.bodyLength, t.response?.bodyLength, t.response?.status]),
    ).toEqual(kept.txs.map((t) => [t.request.bodyLength, t.response?.bodyLength, t.response?.status]));
    expect(counted.txs[0].response?.bodyLength).toBe(gz.length);
    expect(counted.txs[0].request.bodyLength).toBe(5);
    expect(counted.txs.map((t) => httpEveRecord(t))).toEqual(kept.txs.map((t) => httpEveRecord(t)));
    expect(counted.txs.every((t) => t.request.body === undefined && t.response?.body === undefined)).toBe(
      true,
    );
    expect(counted.events.some((e) => e.endsWith('_BODY'))).toBe(false);
    // the same progress points otherwise, in the same order
    expect(counted.events).toEqual(kept.events.filter((e) => !e.endsWith('_BODY')));
  });

  it('a cut gzip body yields what is decodable so far', () => {
    const text = Array.from({ length: 3000 }, (_, i) => `line ${i}\n`).join('');
    const gz = gzipSync(text);
    const resp = Buffer.concat([
      Buffer.from(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${gz.length}\r\n\r\n`),
      gz.subarray(0, gz.length >> 1),
    ]);
    const { txs } = run(feed, 'GET / HTTP/1.1\r\n\r\n', resp);
    const body = s(txs[0].response?.body) ?? '';
    expect(body.length).toBeGreaterThan(1000);
    expect(text.startsWith(body)).toBe(true);
    expect(txs[0].responseComplete).toBe(false);
  });

  it('Content-Encoding gzip on a body that is not compressed: kept as received', () => {
    const { txs } = run(
      feed,
      'POST / HTTP/1.1\r\nContent-Encoding: gzip\r\nContent-Length: 13\r\n\r\n{"plain":"x"}',
    );
    expect(s(txs[0].request.body)).toBe('{"plain":"x"}');
    expect(txs[0].flags & HttpTxFlag.DECOMPRESS_FAILED).toBeTruthy();
  });

  it('body limits keep the first bytes and flag the rest', () => {
    const { txs } = run(
      feed,
      'POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789',
      'HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nabcdef',
      false,
      { requestBodyLimit: 4, responseBodyLimit: 3 },
    );
    expect(s(txs[0].request.body)).toBe('0123');
    expect(s(txs[0].response?.body)).toBe('abc');
    expect(txs[0].flags & HttpTxFlag.REQUEST_BODY_LIMIT).toBeTruthy();
    expect(txs[0].flags & HttpTxFlag.RESPONSE_BODY_LIMIT).toBeTruthy();
    expect(txs[0].request.bodyLength).toBe(10);
  });

  it('CONNECT accepted: the rest of the flow is a tunnel and is not parsed', () => {
    const { p, txs } = run(
      feed,
      'CONNECT host:443 HTTP/1.1\r\n\r\n\x16\x03\x01garbage',
      'HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x03more',
    );
    expect(txs).toHaveLength(1);
    expect(txs[0].flags & HttpTxFlag.TUNNEL).toBeTruthy();
    expect(p.responseStopped).toBe(true);
  });

  it('malformed input never throws: invalid chunk size stops the direction', () => {
    const { p, txs } = run(
      feed,
      'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\nGET /next HTTP/1.1\r\n\r\n',
    );
    expect(txs).toHaveLength(1);
    expect(txs[0].flags & HttpTxFlag.CHUNK_INVALID).toBeTruthy();
    expect(p.requestStopped).toBe(true);
    expect(p.stats.invalidDirections).toBe(1);
  });

  it('a response line that does not start with "http" is body data, flagged (libhtp)', () => {
    const { p, txs } = run(feed, 'GET / HTTP/1.1\r\n\r\n', 'SSH-2.0-OpenSSH\r\n\r\n');
    expect(txs[0].flags & HttpTxFlag.RESPONSE_INVALID).toBeTruthy();
    expect(txs[0].response?.status).toBe(-1);
    expect(s(txs[0].response?.body)).toBe('SSH-2.0-OpenSSH\r\n');
    expect(p.responseStopped).toBe(false);
  });

  it('an odd status code is flagged but the response is still parsed (libhtp)', () => {
    const { txs, p } = run(feed, 'GET / HTTP/1.1\r\n\r\n', 'HTTP/1.1 2 ok\r\nContent-Length: 2\r\n\r\nok');
    expect(txs[0].response?.status).toBe(2);
    expect(txs[0].flags & HttpTxFlag.STATUS_INVALID).toBeTruthy();
    expect(s(txs[0].response?.body)).toBe('ok');
    expect(p.responseStopped).toBe(false);
  });

  it('a response without request is its own flagged transaction', () => {
    const { txs, p } = run(feed, '', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    expect(txs).toHaveLength(1);
    expect(txs[0].flags & HttpTxFlag.RESPONSE_WITHOUT_REQUEST).toBeTruthy();
    expect(p.stats.unmatchedResponses).toBe(1);
  });

  it('HTTP/0.9 request line: no protocol, no headers', () => {
    const { txs } = run(feed, 'GET /old\r\n');
    expect(s(txs[0].request.rawUri)).toBe('/old');
    expect(s(txs[0].request.protocol)).toBe('');
    expect(txs[0].requestComplete).toBe(true);
  });

  it('a URI with spaces keeps them (the protocol is the last word)', () => {
    const { txs } = run(feed, 'GET /a b c HTTP/1.1\r\n\r\n');
    expect(s(txs[0].request.rawUri)).toBe('/a b c');
    expect(s(txs[0].request.protocol)).toBe('HTTP/1.1');
  });
});

describe('HttpParser: gaps and limits', () => {
  it('a gap inside a Content-Length body is skipped; the transaction is flagged', () => {
    const p = new HttpParser();
    p.feed(false, Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));
    p.gap(false, 4);
    p.feed(false, Buffer.from('xyz'));
    expect(p.stats.gaps).toBe(1);
    const tx = p.events[p.eventCount - 1].tx;
    expect(s(tx.response?.body)).toBe('abcxyz');
    expect(tx.responseComplete).toBe(true);
    expect(tx.flags & HttpTxFlag.GAP).toBeTruthy();
  });

  it('a gap in a head stops the direction', () => {
    const p = new HttpParser();
    p.feed(true, Buffer.from('GET / HT'));
    p.gap(true, 10);
    expect(p.requestStopped).toBe(true);
    expect(p.feed(true, Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toBe(0);
  });

  it('a head longer than maxHeaderBytes stops the direction', () => {
    const p = new HttpParser({ maxHeaderBytes: 100 });
    p.feed(true, Buffer.from(`GET / HTTP/1.1\r\nX: ${'a'.repeat(200)}\r\n\r\n`));
    expect(p.requestStopped).toBe(true);
    expect(p.eventCount).toBe(0);
  });

  it('completed transactions leave the parser after clearEvents()', () => {
    const p = new HttpParser();
    p.feed(true, Buffer.from('GET / HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n'));
    p.feed(false, Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    p.clearEvents();
    expect(p.transactions().map((t) => t.id)).toEqual([1]);
    expect(p.txCount).toBe(2);
  });
});

describe('transactions fill every http.* buffer', () => {
  it('setHttpRequestBuffers / setHttpResponseBuffers accept the parser views', () => {
    const p = new HttpParser();
    p.feed(
      true,
      Buffer.from(
        'POST /p/../q%20r?x=1 HTTP/1.1\r\nHost: WWW.Example.com:81\r\nUser-Agent: UA\r\nCookie: k=v\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nReferer: http://r/\r\n\r\nhi',
      ),
    );
    p.feed(
      false,
      Buffer.from(
        'HTTP/1.1 302 Found\r\nLocation: /l\r\nServer: srv\r\nSet-Cookie: s=1\r\nContent-Length: 0\r\n\r\n',
      ),
    );
    const tx = p.events[p.eventCount - 1].tx;
    const set = new BufferSet();
    setHttpRequestBuffers(set, tx.request);
    if (tx.response) setHttpResponseBuffers(set, tx.response);
    const get = (name: string, toServer: boolean) => {
      const id = bufferIdByName(name);
      if (id === undefined) throw new Error(name);
      const slot = set.slot(id, toServer);
      return slot.count === 0 ? undefined : s(slot.items[0].data);
    };
    expect(get('http.uri', true)).toBe('/q r?x=1');
    expect(get('http.uri.raw', true)).toBe('/p/../q%20r?x=1');
    expect(get('http.method', true)).toBe('POST');
    expect(get('http.host', true)).toBe('www.example.com');
    expect(get('http.user_agent', true)).toBe('UA');
    expect(get('http.cookie', true)).toBe('k=v');
    expect(get('http.request_body', true)).toBe('hi');
    expect(get('http.stat_code', false)).toBe('302');
    expect(get('http.location', false)).toBe('/l');
    expect(get('http.server', false)).toBe('srv');
    expect(get('http.start', true)?.startsWith('POST /p/../q%20r?x=1 HTTP/1.1\r\nHost:')).toBe(true);
    expect(httpEveRecord(tx)).toEqual({
      hostname: 'www.example.com',
      http_port: 81,
      url: '/p/../q%20r?x=1',
      http_user_agent: 'UA',
      http_refer: 'http://r/',
      http_method: 'POST',
      protocol: 'HTTP/1.1',
      status: 302,
      redirect: '/l',
      length: 0,
    });
  });
});

describe('Content-Encoding layers as libhtp reads them', () => {
  const eicar = Buffer.from('X5O!P%@AP[4 EICAR body');
  const resp = (ce: string, body: Buffer) =>
    Buffer.concat([
      Buffer.from(`HTTP/1.1 200 OK\r\n${ce}Content-Length: ${body.length}\r\n\r\n`, 'latin1'),
      body,
    ]);
  const bodyOf = (r: Buffer, cfg = {}) => {
    const p = new HttpParser(cfg);
    p.feed(true, Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    p.feed(false, r);
    return Buffer.from(p.transactions()[0]?.response?.body ?? new Uint8Array()).toString('latin1');
  };

  it('NUL bytes inside the value or the name are ignored (http-evader-315, -316)', () => {
    expect(bodyOf(resp('Content-Encoding: gz\0ip\r\n', gzipSync(eicar)))).toBe(eicar.toString('latin1'));
    expect(bodyOf(resp('Content\0-Encoding: gzip\r\n', gzipSync(eicar)))).toBe(eicar.toString('latin1'));
  });

  it('three layers need response-body-decompress-layer-limit 3 (default 2)', () => {
    const three = gzipSync(deflateSync(gzipSync(eicar)));
    const r = resp(
      'Content-Encoding: gzip\r\nContent-Encoding: deflate\r\nContent-Encoding: gzip\r\n',
      three,
    );
    expect(bodyOf(r, { decompressLayerLimit: 3 })).toBe(eicar.toString('latin1'));
    expect(bodyOf(r)).not.toBe(eicar.toString('latin1'));
  });
});

describe('a body labelled deflate that is not compressed', () => {
  // raw deflate reads "X5" as the start of a stored block and waits for more: at the end of
  // the body nothing was decoded, and libhtp passes the input through (http-evader-155, -168)
  it('is passed through at the end of the body, and flagged', () => {
    const plain = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
    for (const ce of ['deflate', 'deflate,', 'deflate, deflate']) {
      const p = new HttpParser({ decompressLayerLimit: 3 });
      p.feed(true, Buffer.from('GET / HTTP/1.1\r\n\r\n'));
      p.feed(
        false,
        Buffer.from(
          `HTTP/1.1 200 OK\r\nContent-Encoding: ${ce}\r\nContent-Length: ${plain.length}\r\n\r\n${plain}`,
        ),
      );
      const tx = p.transactions()[0];
      expect(Buffer.from(tx.response?.body ?? new Uint8Array()).toString('latin1')).toBe(plain);
      expect(tx.flags & HttpTxFlag.DECOMPRESS_FAILED).not.toBe(0);
    }
  });
});

describe('bare CR line ends in a response head (libhtp)', () => {
  const run1 = (head: string, body: string) => {
    const p = new HttpParser();
    p.feed(true, Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    p.feed(false, Buffer.from(head + body, 'latin1'));
    p.end(false);
    return p.transactions()[0];
  };
  it('a CR alone ends a header line, or the status line (http-evader-400, -378)', () => {
    const tx = run1('HTTP/1.1 200 ok\rContent-Type: text/plain\rContent-Length: 4\r\n\r\n', 'abcd');
    expect(tx.response?.status).toBe(200);
    expect(Buffer.from(tx.response?.body ?? new Uint8Array()).toString()).toBe('abcd');
    const tx2 = run1('HTTP/1.1 200 ok\rTransfer-Encoding: chunked\r\n\r\n', '2\r\nok\r\n0\r\n\r\n');
    expect(Buffer.from(tx2.response?.body ?? new Uint8Array()).toString()).toBe('ok');
  });
  it('CRs and blanks that open a line are not an empty line (http-evader-286, -405, -491)', () => {
    const tx = run1('HTTP/1.1 200 ok\r\n\r\rContent-Length: 2\r\n\r\n', 'ok');
    expect(Buffer.from(tx.response?.body ?? new Uint8Array()).toString()).toBe('ok');
    const tx2 = run1(' \rHTTP/1.1 200 ok\r\nContent-Length: 2\r\n\r\n', 'ok');
    expect(tx2.response?.status).toBe(200);
  });
});
