/**
 * Web attacks: the decoding (URL, double URL, HTML entities, SQL comments) and the patterns on
 * attack strings from public payload lists and on ordinary requests that look close; then the
 * detector on crafted HTTP sessions (URI, header, body) through the engine.
 */
import { describe, expect, it } from 'vitest';
import { resolveDetectConfig } from '../../src/detect/config.js';
import {
  decodeEntities,
  matchWebAttack,
  normalizeForInspection,
  type WebAttackKind,
} from '../../src/detect/web-patterns.js';
import { WEBATTACK_SIGNATURES as S, WebAttackDetector } from '../../src/detect/webattack.js';
import { T0, Traffic } from './craft.js';
import { bySid, craftedAlerts } from './run.js';

const kinds: WebAttackKind[] = ['sql_injection', 'xss', 'path_traversal', 'command_injection'];
const found = (raw: string) => kinds.filter((k) => matchWebAttack(normalizeForInspection(raw), k) !== null);

describe('decoding', () => {
  it('URL-decodes twice, reads + as space, decodes entities, drops SQL comments, lower-cases', () => {
    expect(normalizeForInspection('%2527%20OR%201%3D1')).toBe("' or 1=1");
    expect(normalizeForInspection('a+b')).toBe('a b');
    expect(normalizeForInspection('UNION/**/SELECT')).toBe('union select');
    expect(normalizeForInspection('/*!50000UNION*/ SELECT')).toBe(' union select');
    expect(normalizeForInspection('&lt;script&gt;')).toBe('<script>');
    expect(decodeEntities('&#60;&#x73;cript&#62;')).toBe('<script>');
    expect(normalizeForInspection('%u003cscript%u003e')).toBe('<script>');
  });
});

describe('patterns', () => {
  const attacks: Array<[string, WebAttackKind]> = [
    ["/search?id=1' OR '1'='1", 'sql_injection'],
    ['/search?id=1%20UNION%20SELECT%20username,password%20FROM%20users--', 'sql_injection'],
    ['/search?id=1;DROP%20TABLE%20users', 'sql_injection'],
    ["/item?id=1' AND SLEEP(5)--", 'sql_injection'],
    ['/item?id=1 or 1=1', 'sql_injection'],
    ["/q?x=admin'--", 'sql_injection'],
    ['/p?id=1 UNION ALL SELECT NULL,@@version', 'sql_injection'],
    ['/p?id=1/**/UNION/**/SELECT/**/1,2', 'sql_injection'],
    ['/search?q=%3Cscript%3Ealert(1)%3C/script%3E', 'xss'],
    ['/search?q=%253Cscript%253Ealert(1)', 'xss'],
    ['/x?q=<img src=x onerror=alert(1)>', 'xss'],
    ['/x?u=javascript:alert(document.cookie)', 'xss'],
    ['/x?q=&lt;svg/onload=alert(1)&gt;', 'xss'],
    ['/search?file=../../../../etc/passwd', 'path_traversal'],
    ['/download?f=..%2F..%2F..%2Fwindows%2Fwin.ini', 'path_traversal'],
    ['/static/%2e%2e/%2e%2e/etc/shadow', 'path_traversal'],
    ['/ping?host=127.0.0.1;cat%20/etc/passwd', 'command_injection'],
    ['/ping?host=127.0.0.1%20%7C%7C%20id', 'command_injection'],
    ['/run?c=$(whoami)', 'command_injection'],
    ['/run?c=`uname -a`', 'command_injection'],
  ];
  for (const [raw, k] of attacks) {
    it(`${k}: ${raw}`, () => expect(found(raw)).toContain(k));
  }

  const benign = [
    '/index.html',
    '/search?q=how+to+select+a+union+rep',
    "/search?q=don't+stop+or+go",
    '/api/items?fields=name|id|price&id=5&ls=1',
    '/blog/2024/select-from-the-menu',
    '/docs?page=2&sort=asc&filter=status:open',
    '/a/b/../c.html',
    '{"color":"#fff","name":"O\'Brien"}',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
    'session=abc123; theme=dark; lang=en-US',
    '/search?q=rock+%26+roll',
    '/cart?item=5&qty=1&echo=true',
  ];
  for (const raw of benign) {
    it(`benign: ${raw}`, () => expect(found(raw)).toEqual([]));
  }
});

describe('detector on HTTP sessions', () => {
  const ATT = '10.6.0.66';
  const WEB = '10.6.0.2';
  const run = (req: string, cfg = {}) => {
    const tr = new Traffic();
    tr.session(T0, ATT, WEB, 40000, 80, [
      { from: 'client', data: req },
      { from: 'server', data: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' },
    ]);
    return craftedAlerts(tr, [new WebAttackDetector(resolveDetectConfig(cfg))]);
  };

  it('SQL injection in the URI: high alert naming the client, the location and the pattern', async () => {
    const a = await run('GET /search?id=1%27%20OR%20%271%27%3D%271 HTTP/1.1\r\nHost: x\r\n\r\n');
    const sqli = bySid(a, S.sql_injection.sid);
    expect(sqli).toHaveLength(1);
    expect(sqli[0].src_ip).toBe(ATT);
    expect(sqli[0].dest_ip).toBe(WEB);
    expect(sqli[0].alert.metadata?.location).toEqual(['uri']);
    expect(sqli[0].alert.metadata?.severity).toEqual(['high']);
  });
  it('XSS in a header (User-Agent)', async () => {
    const a = await run('GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: <script>alert(1)</script>\r\n\r\n');
    const x = bySid(a, S.xss.sid);
    expect(x).toHaveLength(1);
    expect(x[0].alert.metadata?.location).toEqual(['header user-agent']);
  });
  it('command injection in a form body: critical', async () => {
    const body = 'host=127.0.0.1%3Bcat+%2Fetc%2Fpasswd';
    const a = await run(
      `POST /ping HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    const c = bySid(a, S.command_injection.sid);
    expect(c).toHaveLength(1);
    expect(c[0].alert.metadata?.location).toEqual(['body']);
    expect(c[0].alert.metadata?.severity).toEqual(['critical']);
  });
  it('detect_sql_injection false turns SQL injection off, the others stay', async () => {
    const a = await craftedAlerts(
      (() => {
        const tr = new Traffic();
        tr.session(T0, ATT, WEB, 40000, 80, [
          {
            from: 'client',
            data: "GET /s?id=1'%20OR%20'1'='1&f=../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
          },
          { from: 'server', data: 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n' },
        ]);
        return tr;
      })(),
      [new WebAttackDetector(resolveDetectConfig({}, { detect_sql_injection: false }))],
    );
    expect(bySid(a, S.sql_injection.sid)).toEqual([]);
    expect(bySid(a, S.path_traversal.sid)).toHaveLength(1);
  });
  it('an ordinary request: silent', async () => {
    expect(
      await run('GET /index.html?page=2&sort=name HTTP/1.1\r\nHost: x\r\nUser-Agent: curl/8.5.0\r\n\r\n'),
    ).toEqual([]);
  });
});
