/**
 * libhtp tolerances in response heads and framing. Each case reproduces the server bytes of a
 * suricata-verify http-evader test (named in the test title), whose expected Suricata alerts
 * are the oracle: the EICAR body must come out whole.
 */
import { describe, expect, it } from 'vitest';
import { parseContentLength } from '../../../src/ids/app/http/head.js';
import { HttpParser } from '../../../src/ids/app/http/parser.js';
import { type HttpTransaction, HttpTxFlag } from '../../../src/ids/app/http/transaction.js';

const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
const str = (v: Uint8Array | undefined) => (v === undefined ? undefined : Buffer.from(v).toString('latin1'));

/** One request, then the response bytes in one piece (or split at `splits`), then the close. */
function respond(resp: string, splits: number[] = []): HttpTransaction[] {
  const p = new HttpParser();
  p.feed(true, Buffer.from('GET /eicar.txt HTTP/1.1\r\nHost: h\r\n\r\n'));
  const b = Buffer.from(resp, 'latin1');
  let at = 0;
  for (const s of [...splits, b.length]) {
    p.feed(false, b.subarray(at, s));
    at = s;
  }
  p.end(false);
  const txs = [...p.transactions()];
  p.clearEvents();
  return txs;
}

const chunked = (body: string) => `${[...body].map((c) => `1\r\n${c}\r\n`).join('')}0\r\n\r\n`;
const bodyOf = (tx: HttpTransaction) => str(tx.response?.body);
const header = (tx: HttpTransaction, name: string) =>
  tx.response?.headers
    .filter((h) => str(h.name as Uint8Array)?.toLowerCase() === name)
    .map((h) => str(h.value as Uint8Array));

describe('Content-Length as libhtp reads it', () => {
  it('the first run of digits, junk before or after ignored (http-evader-250, -253)', () => {
    expect(parseContentLength('34( 68)')).toBe(34);
    expect(parseContentLength('(68) 34')).toBe(68);
    expect(parseContentLength(' 12 ')).toBe(12);
    expect(parseContentLength('none')).toBe(-1);
    const [tx] = respond(`HTTP/1.1 200 ok\r\nContent-Length: (68) 34\r\n\r\n${EICAR}`);
    expect(bodyOf(tx)).toBe(EICAR);
  });
});

describe('folded response header lines (libhtp headers.rs)', () => {
  it('a folded line that reads "name:" is a new header in a response (http-evader-268, -269)', () => {
    for (const fold of [' ', '\t']) {
      const [tx] = respond(
        `HTTP/1.1 200 ok\r\nConnection: close\r\n${fold}Transfer-Encoding: chunked\r\n\r\n${chunked('abc')}`,
      );
      expect(header(tx, 'connection')).toEqual(['close']);
      expect(header(tx, 'transfer-encoding')).toEqual(['chunked']);
      expect(bodyOf(tx)).toBe('abc');
    }
  });

  it('in a request the same line is folded into the header before it', () => {
    const p = new HttpParser();
    p.feed(true, Buffer.from('GET / HTTP/1.1\r\nConnection: close\r\n Transfer-Encoding: chunked\r\n\r\n'));
    const h = p
      .transactions()[0]
      .request.headers.map((x) => [str(x.name as Uint8Array), str(x.value as Uint8Array)]);
    expect(h).toEqual([['Connection', 'close Transfer-Encoding: chunked']]);
  });

  it('a NUL opens a folded line; an empty value takes it without the NUL (http-evader-307, -327)', () => {
    const [tx] = respond(`HTTP/1.1 200 ok\r\nTransfer-Encoding:\n\0chunked\r\nX: y\r\n\r\n${chunked('abc')}`);
    expect(header(tx, 'transfer-encoding')).toEqual(['chunked']);
    expect(bodyOf(tx)).toBe('abc');
    const [tx2] = respond('HTTP/1.1 200 ok\r\nX: a\r\n\0b\r\nContent-Length: 2\r\n\r\nok');
    expect(header(tx2, 'x')).toEqual(['a\0b']);
  });

  it('a header name folded before its colon (http-evader-296, -299, -300)', () => {
    for (const te of [
      'Transfer-Encoding\n :chunked',
      'Transfer-Encoding\r\n :\r\n chunked',
      'Transfer-Encoding\r\n \r\n :\r\n chunked',
    ]) {
      const [tx] = respond(`HTTP/1.1 200 ok\r\n${te}\r\nX: y\r\n\r\n${chunked('abc')}`);
      expect(header(tx, 'transfer-encoding')).toEqual(['chunked']);
      expect(bodyOf(tx)).toBe('abc');
    }
  });
});

describe('response line ends', () => {
  it('"\\n\\r" is one line end: "\\n\\r\\r\\n" ends the head (http-evader-411, -412)', () => {
    const [tx] = respond(`HTTP/1.1 200 ok\r\nTransfer-Encoding: chunked\r\nX: y\n\r\r\n${chunked('abc')}`);
    expect(bodyOf(tx)).toBe('abc');
    expect(header(tx, 'x')).toEqual(['y']);
  });

  it('"\\n\\r\\r\\n" followed by CRLF: the CRLF belongs to the end of the head (http-evader-415)', () => {
    const [tx] = respond('HTTP/1.1 200 ok\r\nContent-Length: 2\n\r\r\n\r\nok');
    expect(bodyOf(tx)).toBe('ok');
  });

  it('after a CRLF, "\\r\\r\\n" is junk inside the head, not its end (http-evader-284)', () => {
    const [tx] = respond(
      `HTTP/1.1 200 ok\r\nConnection: close\r\n\r\r\nTransfer-Encoding: chunked\r\n\r\n${chunked('ab')}`,
    );
    expect(bodyOf(tx)).toBe('ab');
  });
});

describe('junk before the status line (libhtp response_line)', () => {
  it('short lines or lines followed by "H" are skipped (http-evader-481, -483..-488, -494)', () => {
    for (const junk of [
      ' \r\n',
      ' \r\n\t\r\n',
      ' \t\r\r\n',
      'foobar\r\n',
      ' foobar\r\n',
      ' SIP/2.0 200 ok\r\n',
      ' \n',
    ]) {
      const txs = respond(`${junk}HTTP/1.1 200 ok\r\nContent-Length: ${EICAR.length}\r\n\r\n${EICAR}`);
      expect(txs).toHaveLength(1);
      expect(txs[0].response?.status).toBe(200);
      expect(bodyOf(txs[0])).toBe(EICAR);
    }
  });

  it('NULs before "HTTP/" are skipped (http-evader-390)', () => {
    const [tx] = respond(`\0HTTP/1.1 200 ok\r\nContent-Length: 2\r\n\r\nok`);
    expect(str(tx.response?.protocol)).toBe('HTTP/1.1');
    expect(bodyOf(tx)).toBe('ok');
  });

  it('a longer junk line followed by something else is body data of the response', () => {
    const [tx] = respond('foobar\r\nmore');
    expect(tx.response?.status).toBe(-1);
    expect(tx.flags & HttpTxFlag.RESPONSE_INVALID).toBeTruthy();
    expect(bodyOf(tx)).toBe('foobar\r\n');
  });
});

describe('after a complete response (libhtp response_finalize)', () => {
  it('data beyond Content-Length that is not a status line is more body (http-evader-248, -250)', () => {
    const [tx] = respond(`HTTP/1.1 200 ok\r\nContent-Length: 34\r\n 68\r\n\r\n${EICAR}`);
    expect(bodyOf(tx)).toBe(EICAR);
  });

  it('a status line there starts the next response', () => {
    const p = new HttpParser();
    p.feed(true, Buffer.from('GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n'));
    p.feed(
      false,
      Buffer.from(
        'HTTP/1.1 200 ok\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 404 no\r\nContent-Length: 0\r\n\r\n',
      ),
    );
    const txs = p.transactions();
    expect(txs.map((t) => t.response?.status)).toEqual([200, 404]);
    expect(bodyOf(txs[0])).toBe('ok');
  });

  it('a body that ends with its input completes at once; later junk opens a new response', () => {
    const head = 'HTTP/1.1 200 ok\r\nContent-Length: 2\r\n\r\nok';
    const txs = respond(`${head}junk!\r\n`, [head.length]);
    expect(bodyOf(txs[0])).toBe('ok');
    expect(txs[0].responseComplete).toBe(true);
  });
});
