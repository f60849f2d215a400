/**
 * http.uri normalization. Expected values follow libhtp's IDS personality as Suricata
 * configures it (lower-casing off); the suricata-verify case is checked through its rule.
 */
import { describe, expect, it } from 'vitest';
import { normalizeUri } from '../../../src/ids/app/http/uri.js';

const n = (s: string) => Buffer.from(normalizeUri(Buffer.from(s, 'latin1'))).toString('latin1');

describe('normalizeUri', () => {
  it.each([
    ['/index.html', '/index.html'],
    ['/a%20b', '/a b'],
    ['/%41%42c', '/ABc'],
    ['/a/./b', '/a/b'],
    ['/a/b/../c', '/a/c'],
    ['/a/b/..', '/a/'],
    ['/../../etc/passwd', '/etc/passwd'],
    ['/a//b///c', '/a/b/c'],
    ['/a%2fb', '/a/b'],
    ['/a%2f%2fb', '/a/b'],
    ['/a\\b\\..\\c', '/a/c'],
    ['/a%5cb', '/a/b'],
    ['/%u0041x', '/Ax'],
    ['/%u2215x', '/?x'],
    ['/bad%zz%4', '/bad%zz%4'],
    ['/CaSe/Kept', '/CaSe/Kept'],
    ['/p/../q?x=%41&y=../z#frag', '/q?x=%41&y=../z#frag'],
    ['http://Host.example:8080/a/../b?q', '/b?q'],
    ['http://host.example', ''],
    ['/%00nul', '/\0nul'],
    ['/.', '/'],
    ['', ''],
  ])('%s -> %s', (raw, want) => {
    expect(n(raw)).toBe(want);
  });
});
