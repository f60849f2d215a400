/**
 * Matching semantics of payload keywords on hand-built buffers. Expected results follow
 * Suricata's documentation (docs.suricata.io, payload keywords) and the behaviour of its
 * content inspection engine described there.
 */
import { describe, expect, it } from 'vitest';
import { matches } from './match-helpers.js';

describe('content', () => {
  it('matches anywhere, case-sensitive unless nocase', () => {
    expect(matches('content:"abc";', 'xxabcxx')).toBe(true);
    expect(matches('content:"abc";', 'xxABCxx')).toBe(false);
    expect(matches('content:"abc"; nocase;', 'xxABCxx')).toBe(true);
    expect(matches('content:"|41 42|C";', 'xABCx')).toBe(true);
  });

  it('negated content matches when absent', () => {
    expect(matches('content:"a"; content:!"zz";', 'abc')).toBe(true);
    expect(matches('content:"a"; content:!"bc";', 'abc')).toBe(false);
  });

  it('offset and depth bound an absolute window (depth counts from offset)', () => {
    // docs: offset 3 depth 3 inspects bytes 3..5
    expect(matches('content:"def"; offset:3; depth:3;', 'abcdefgh')).toBe(true);
    expect(matches('content:"efg"; offset:3; depth:3;', 'abcdefgh')).toBe(false);
    expect(matches('content:"abc"; offset:1;', 'abcdefgh')).toBe(false);
    expect(matches('content:"abc"; depth:3;', 'abcdefgh')).toBe(true);
    expect(matches('content:"bcd"; depth:3;', 'abcdefgh')).toBe(false);
  });

  it('distance and within are relative to the previous match end', () => {
    expect(matches('content:"ab"; content:"ef"; distance:2;', 'abcdefgh')).toBe(true);
    expect(matches('content:"ab"; content:"ef"; distance:3;', 'abcdefgh')).toBe(false);
    expect(matches('content:"ab"; content:"ef"; within:4;', 'abcdefgh')).toBe(true);
    expect(matches('content:"ab"; content:"ef"; within:3;', 'abcdefgh')).toBe(false);
    expect(matches('content:"ab"; content:"de"; distance:1; within:3;', 'abcdefgh')).toBe(true);
    // negative distance looks back
    expect(matches('content:"cd"; content:"bc"; distance:-3; within:2;', 'abcdefgh')).toBe(true);
  });

  it('retries an earlier match when a later relative content fails (suricata-verify alert-distance-within-1)', () => {
    // the first "AllWork..." is followed by junk; only the second one has DullBoy within 7 after distance 1
    const rule = 'content:"AllWorkAndNoPlayMakesWill"; content:"DullBoy"; distance:1; within:7;';
    expect(matches(rule, 'AllWorkAndNoPlayMakesWill zzzzzzzzzzzz AllWorkAndNoPlayMakesWill DullBoy')).toBe(
      true,
    );
    expect(matches(rule, 'AllWorkAndNoPlayMakesWill zzzzzzzzzzzzDullBoy')).toBe(false);
  });

  it('does not retry for a distance-only relative content (no within next)', () => {
    // "b" after the first "a" exists: the chain matches on the first occurrence
    expect(matches('content:"a"; content:"b"; distance:0;', 'xaxxb')).toBe(true);
    // a negated distance-only content after the first "a" fails, and is not retried at the second "a"
    expect(matches('content:"a"; content:!"b"; distance:0;', 'a b a')).toBe(false);
  });

  it('a failed distance-only content lets an earlier within content move on (suricata-verify UriTestSig21)', () => {
    // "this" within 6 of the first "fix" is followed by "and": no match there, but the second
    // "fix" ... "this" pair is not, and Suricata finds it (the middle content returns no-match,
    // not discontinue)
    const rule = 'content:"fix"; content:"this"; within:6; content:!"and"; distance:0;';
    expect(matches(rule, '/we_need_to_fix_this_and_yes_fix_this_now')).toBe(true);
    expect(matches(rule, '/we_need_to_fix_this_and_yes_fix_this_and')).toBe(false);
  });

  it('startswith and endswith', () => {
    expect(matches('content:"GET"; startswith;', 'GET /')).toBe(true);
    expect(matches('content:"GET"; startswith;', ' GET /')).toBe(false);
    expect(matches('content:".exe"; endswith;', 'a.exe.exe')).toBe(true);
    expect(matches('content:".exe"; endswith;', 'a.exe.zip')).toBe(false);
    expect(matches('content:"a"; content:!".exe"; endswith;', 'a.exe.zip')).toBe(true);
  });
});

describe('isdataat', () => {
  it('absolute and relative, negated', () => {
    expect(matches('content:"a"; isdataat:4;', 'abcde')).toBe(true);
    expect(matches('content:"a"; isdataat:5;', 'abcde')).toBe(false);
    expect(matches('content:"a"; isdataat:!5;', 'abcde')).toBe(true);
    // relative: n bytes must exist after the previous match end
    expect(matches('content:"abc"; isdataat:2,relative;', 'abcde')).toBe(true);
    expect(matches('content:"abc"; isdataat:3,relative;', 'abcde')).toBe(false);
    expect(matches('content:"abc"; isdataat:!3,relative;', 'abcde')).toBe(true);
    expect(matches('content:"de"; isdataat:!1,relative;', 'abcde')).toBe(true);
  });
});

describe('pcre', () => {
  it('matches with flags and relative to the previous match', () => {
    expect(matches('pcre:"/a[0-9]+b/";', 'xa123b')).toBe(true);
    expect(matches('pcre:"/A[0-9]+B/i";', 'xa123b')).toBe(true);
    expect(matches('content:"x"; pcre:"/^a1/R";', 'xa123b')).toBe(true);
    expect(matches('content:"a"; pcre:"/^a1/R";', 'xa123b')).toBe(false);
    expect(matches('pcre:!"/zzz/";', 'xa123b')).toBe(true);
  });

  it('keeps PCRE meanings JS differs on', () => {
    // "." matches \r in PCRE
    expect(matches('pcre:"/a.b/";', 'a\rb')).toBe(true);
    expect(matches('pcre:"/a.b/";', 'a\nb')).toBe(false);
    expect(matches('pcre:"/a.b/s";', 'a\nb')).toBe(true);
    // $ matches before a final newline
    expect(matches('pcre:"/abc$/";', 'xabc\n')).toBe(true);
    expect(matches('pcre:"/abc$/E";', 'xabc\n')).toBe(false);
    // \s does not include 0xa0 in PCRE
    expect(matches('pcre:"/a\\sb/";', Buffer.from([0x61, 0xa0, 0x62]))).toBe(false);
    // /i folds ASCII only: 0xe9 and 0xc9 stay different
    expect(matches('pcre:"/\\xe9/i";', Buffer.from([0xc9]))).toBe(false);
    expect(matches('pcre:"/\\xe9/i";', Buffer.from([0xe9]))).toBe(true);
    // back-reference under /i compares case-insensitively
    expect(matches('pcre:"/(?P<v>ab)-(?P=v)/i";', 'AB-ab')).toBe(true);
  });

  it('retries a pcre when the next relative keyword fails', () => {
    expect(matches('pcre:"/k=/"; content:"9"; within:1;', 'k=1 k=9')).toBe(true);
  });
});

describe('byte_test', () => {
  const p = Buffer.from([0x00, 0x10, 0x01, 0x02, 0x03, 0x04, 0x31, 0x32, 0x33]);
  it('operators, endianness and offsets', () => {
    expect(matches('byte_test:2,=,16,0;', p)).toBe(true);
    expect(matches('byte_test:2,=,4096,0,little;', p)).toBe(true);
    expect(matches('byte_test:2,>,15,0;', p)).toBe(true);
    expect(matches('byte_test:2,<,16,0;', p)).toBe(false);
    expect(matches('byte_test:2,>=,16,0;', p)).toBe(true);
    expect(matches('byte_test:2,<=,15,0;', p)).toBe(false);
    expect(matches('byte_test:1,&,0x10,1;', p)).toBe(true);
    expect(matches('byte_test:1,&,0x01,1;', p)).toBe(false);
    expect(matches('byte_test:1,!&,0x01,1;', p)).toBe(true);
    expect(matches('byte_test:1,^,0x10,1;', p)).toBe(false);
    expect(matches('byte_test:1,!=,5,1;', p)).toBe(true);
    expect(matches('byte_test:4,=,0x01020304,2;', p)).toBe(true);
    // not enough bytes left
    expect(matches('byte_test:4,>,0,7;', p)).toBe(false);
  });

  it('relative to the previous match, with string and bitmask', () => {
    expect(matches('content:"|04|"; byte_test:3,=,123,0,relative,string,dec;', p)).toBe(true);
    expect(matches('content:"|04|"; byte_test:2,=,0x12,0,relative,string,hex;', p)).toBe(true);
    expect(matches('content:"|04|"; byte_test:3,=,83,0,relative,string,oct;', p)).toBe(true);
    // bitmask: value & mask, shifted right by the mask's trailing zeros
    expect(matches('byte_test:1,=,1,1,bitmask 0xf0;', p)).toBe(true);
    expect(matches('byte_test:2,=,0x11,2,bitmask 0x0ff0;', Buffer.from([0, 0, 0x01, 0x10]))).toBe(true);
  });
});

describe('byte_jump', () => {
  it('jumps by the value read, relative, with multiplier and align', () => {
    // length 3 then "abc" then "X"
    const p = Buffer.from('\x03abcX', 'latin1');
    expect(matches('byte_jump:1,0; content:"X"; within:1;', p)).toBe(true);
    expect(matches('byte_jump:1,0; content:"c"; within:1;', p)).toBe(false);
    expect(matches('content:"|03|"; byte_jump:1,-1,relative; content:"X"; within:1;', p)).toBe(true);
    // multiplier 2: jumps 6 bytes past the field
    expect(
      matches('byte_jump:1,0,multiplier 2; content:"Z"; within:1;', Buffer.from('\x03abcdefZ', 'latin1')),
    ).toBe(true);
    // align: 3 rounds up to 4
    expect(matches('byte_jump:1,0,align; content:"Y"; within:1;', Buffer.from('\x03abcdY', 'latin1'))).toBe(
      true,
    );
    // from_beginning: 3 bytes from the buffer start, plus post_offset 1 -> index 4
    expect(matches('byte_jump:1,0,from_beginning,post_offset 1; content:"X"; within:1;', p)).toBe(true);
    expect(matches('byte_jump:1,0,from_beginning; content:"c"; within:1;', p)).toBe(true);
    // from_end: buffer end + value read (3) + post_offset (-5) -> index 3
    expect(matches('byte_jump:1,0,from_end,post_offset -5; content:"c"; within:1;', p)).toBe(true);
    // a jump past the end fails
    expect(matches('byte_jump:1,0; content:"X";', Buffer.from('\x09abc', 'latin1'))).toBe(false);
  });
});

describe('byte_extract', () => {
  it('stores a value later keywords use', () => {
    const p = Buffer.from('\x05hello world', 'latin1');
    expect(matches('byte_extract:1,0,len; content:"hello"; within:len;', p)).toBe(true);
    expect(matches('byte_extract:1,0,len; content:"world"; within:len;', p)).toBe(false);
    expect(matches('byte_extract:1,0,len; byte_test:1,=,len,0;', p)).toBe(true);
    expect(matches('byte_extract:1,0,off; content:"o"; offset:off; depth:1;', p)).toBe(true);
    expect(matches('byte_extract:1,0,n; isdataat:n,relative;', p)).toBe(true);
    // the extraction moves the relative position past the extracted bytes
    expect(matches('byte_extract:1,0,n; content:"h"; within:1;', p)).toBe(true);
  });
});

describe('dsize, bsize, base64', () => {
  it('compares payload and buffer sizes', () => {
    expect(matches('dsize:5;', 'abcde')).toBe(true);
    expect(matches('dsize:>5;', 'abcde')).toBe(false);
    expect(matches('dsize:3<>6;', 'abcde')).toBe(true);
    expect(matches('dsize:5<>6;', 'abcde')).toBe(false);
  });

  it('decodes base64 and inspects the decoded data', () => {
    const p = 'xx ' + Buffer.from('secret payload').toString('base64');
    expect(matches('content:"xx "; base64_decode:relative; base64_data; content:"payload";', p)).toBe(true);
    expect(matches('content:"xx "; base64_decode:relative; base64_data; content:"nothing";', p)).toBe(false);
  });
});
