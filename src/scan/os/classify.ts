/**
 * Passive OS classification from the fields of one SYN-ACK (or SYN): initial TTL, TCP window,
 * window scale, MSS and — the strongest evidence — the order of the TCP options, which each
 * stack writes its own way. Sentra's own signatures, written from the stacks' sources and
 * behaviour (Linux `tcp_options_write`, FreeBSD `tcp_addoptions`, Windows, Apple, OpenBSD,
 * embedded network gear); nmap's nmap-os-db is deliberately not used.
 *
 * Pure: give it fields from an active probe or from a passive capture (`synAckFromFrame`).
 */
import type { OsGuess, SynAckFields } from '../types.js';
import { withSummary } from '../types.js';

export interface OsSignature {
  name: string;
  os: string;
  /** Initial TTL the stack uses. */
  ttl: number;
  /** Option layouts (short names joined by commas) the stack sends, depending on what the SYN offered. */
  layouts: string[];
  /** Typical window values (any match adds evidence). */
  windows?: number[];
  /** Typical window scale values. */
  wscales?: number[];
}

export const OS_SIGNATURES: readonly OsSignature[] = [
  {
    name: 'Linux 3.x-6.x',
    os: 'Linux',
    ttl: 64,
    // tcp_options_write: MSS, then SACK_PERM+TS packed, NOP+WS; without TS: NOP,NOP,SACK_PERM
    layouts: [
      'mss,sok,ts,nop,ws',
      'mss,nop,nop,sok,nop,ws',
      'mss,nop,nop,ts,nop,ws',
      'mss,sok,ts',
      'mss,nop,ws',
      'mss',
    ],
    windows: [65160, 64240, 65483, 43690, 28960, 29200, 14480, 14600, 5792, 5840, 26847, 65535],
    wscales: [7, 6, 8, 9, 10, 14],
  },
  {
    name: 'Windows 7-11 / Server 2008-2022',
    os: 'Windows',
    ttl: 128,
    layouts: [
      'mss,nop,ws,sok,ts',
      'mss,nop,ws,nop,nop,sok',
      'mss,nop,ws,nop,nop,ts,nop,nop,sok',
      'mss,nop,nop,sok',
      'mss',
    ],
    windows: [8192, 65535, 64240, 65160, 16384],
    wscales: [8, 0, 2],
  },
  {
    name: 'FreeBSD 11-14',
    os: 'FreeBSD',
    ttl: 64,
    layouts: ['mss,nop,ws,sok,ts', 'mss,nop,ws,sok', 'mss,nop,ws,nop,nop,ts'],
    windows: [65535, 65228],
    wscales: [6, 7, 9],
  },
  {
    name: 'macOS / iOS',
    os: 'macOS',
    ttl: 64,
    layouts: ['mss,nop,ws,nop,nop,ts,sok,eol', 'mss,nop,ws,sok,eol', 'mss,nop,ws,nop,nop,ts,sok,eol,eol'],
    windows: [65535, 28960],
    wscales: [5, 6],
  },
  {
    name: 'OpenBSD 6-7',
    os: 'OpenBSD',
    ttl: 64,
    layouts: ['mss,nop,nop,sok,nop,ws,nop,nop,ts', 'mss,nop,nop,sok,nop,ws'],
    windows: [16384],
    wscales: [3, 6],
  },
  {
    name: 'Solaris / illumos',
    os: 'Solaris',
    ttl: 255,
    layouts: ['nop,nop,ts,mss,nop,ws,nop,nop,sok', 'mss,nop,ws,nop,nop,sok', 'mss'],
    windows: [49232, 64436, 32806],
  },
  {
    name: 'Network device (Cisco IOS and similar embedded stacks)',
    os: 'Network device',
    ttl: 255,
    layouts: ['mss'],
    windows: [4128, 8192, 16384],
  },
];

/** The initial TTL a received TTL most likely started from (the next of 32, 64, 128, 255). */
export function initialTtl(ttl: number): number {
  for (const t of [32, 64, 128, 255]) if (ttl <= t) return t;
  return 255;
}

function score(sig: OsSignature, f: SynAckFields, init: number, layout: string): number {
  let s = 0;
  if (sig.ttl === init) s += 30;
  if (f.options.length > 0 && sig.layouts.includes(layout)) s += 50;
  if (sig.windows?.includes(f.window)) s += 12;
  if (f.wscale !== null && sig.wscales?.includes(f.wscale)) s += 8;
  return s;
}

/** Classifies one SYN-ACK's fields. `target` labels the result. */
export function classifySynAck(f: SynAckFields, target = ''): OsGuess {
  const init = initialTtl(f.ttl);
  const layout = f.options.join(',');
  const ranked = OS_SIGNATURES.map((sig) => ({ sig, s: score(sig, f, init, layout) })).sort(
    (a, b) => b.s - a.s,
  );
  const best = ranked[0];
  // with options we can reach 100; when the layout matched nothing, be honest about it
  const confidence = Math.min(100, best.s);
  const evidence = { ...f, initial_ttl: init, hops: init - f.ttl, source: 'syn-ack' as const };
  const known = confidence >= 40;
  const guess: OsGuess = {
    target,
    os: known ? best.sig.os : 'unknown',
    confidence: known ? confidence : 0,
    signature: known ? best.sig.name : '',
    evidence,
    candidates: ranked
      .filter((r) => r.s > 0)
      .map((r) => ({ os: r.sig.os, signature: r.sig.name, confidence: Math.min(100, r.s) })),
    summary: '',
  };
  guess.summary = known
    ? `${guess.os} (${guess.signature}, ${guess.confidence}% confidence; TTL ${f.ttl}/${init}, window ${f.window}, options ${layout || 'none'})`
    : `unknown OS (TTL ${f.ttl}/${init}, window ${f.window}, options ${layout || 'none'})`;
  return withSummary(guess);
}

/** A guess from the TTL alone (no SYN-ACK could be seen): family by initial TTL, low confidence. */
export function classifyTtlOnly(ttl: number, target = ''): OsGuess {
  const init = initialTtl(ttl);
  const os = init === 64 ? 'Linux' : init === 128 ? 'Windows' : init === 255 ? 'Network device' : 'unknown';
  const guess: OsGuess = {
    target,
    os,
    // TTL 64 is shared by Linux, the BSDs and macOS: a weak hint only
    confidence: os === 'unknown' ? 0 : 25,
    signature: os === 'unknown' ? '' : `initial TTL ${init}`,
    evidence: {
      ttl,
      window: 0,
      options: [],
      mss: null,
      wscale: null,
      df: false,
      initial_ttl: init,
      hops: init - ttl,
      source: 'ttl-only',
    },
    candidates: [],
    summary: '',
  };
  guess.summary = `${os} (TTL ${ttl}/${init} only, ${guess.confidence}% confidence)`;
  return withSummary(guess);
}
