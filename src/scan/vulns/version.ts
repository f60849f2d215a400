/**
 * Version comparison for vulnerability ranges. Versions of network software are not all
 * SemVer (`9.2p1`, `1.22.1`, `2.4.57`, `7.0.0-rc1`, `1:9.2p1-2+deb12u3`), so the comparison
 * is the common denominator: an optional epoch, then runs of digits compared as numbers and
 * runs of letters compared as words, where pre-release words (`dev`, `alpha`, `beta`, `pre`,
 * `rc`) sort before the release and a missing part counts as zero (`1.0` = `1.0.0`).
 */

const PRE_RELEASE: Record<string, number> = {
  dev: 1,
  snapshot: 1,
  alpha: 2,
  a: 2,
  beta: 3,
  b: 3,
  pre: 4,
  preview: 4,
  rc: 5,
  c: 5,
};

type Token = number | string;

function tokenize(v: string): { epoch: number; tokens: Token[] } {
  let s = v.trim().toLowerCase();
  let epoch = 0;
  const e = /^(\d+):(.*)$/.exec(s);
  if (e) {
    epoch = Number(e[1]);
    s = e[2];
  }
  if (/^v\d/.test(s)) s = s.slice(1);
  const tokens: Token[] = [];
  const re = /(\d+)|([a-z]+)|(~)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    if (m[1] !== undefined) tokens.push(Number(m[1]));
    else if (m[2] !== undefined) tokens.push(m[2]);
    // dpkg's tilde sorts before anything, even the end of the version
    else tokens.push('~');
  }
  // a lone a/b/c is alpha/beta/candidate only when a number follows (1.0b2); at the end it is
  // a patch letter (OpenSSL 1.1.1a comes after 1.1.1), which must not look like a pre-release
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if ((t === 'a' || t === 'b' || t === 'c') && typeof tokens[i + 1] !== 'number') tokens[i] = `${t}_`;
  }
  return { epoch, tokens };
}

function isPre(t: Token | undefined): boolean {
  return t === '~' || (typeof t === 'string' && t in PRE_RELEASE);
}

function cmpWord(a: string, b: string): number {
  if (a === b) return 0;
  if (a === '~') return -1;
  if (b === '~') return 1;
  const pa = PRE_RELEASE[a];
  const pb = PRE_RELEASE[b];
  if (pa !== undefined && pb !== undefined) return pa - pb;
  if (pa !== undefined) return -1;
  if (pb !== undefined) return 1;
  return a < b ? -1 : 1;
}

/** Negative when a < b, 0 when equal, positive when a > b. */
export function compareVersions(a: string, b: string): number {
  const A = tokenize(a);
  const B = tokenize(b);
  if (A.epoch !== B.epoch) return A.epoch - B.epoch;
  const n = Math.max(A.tokens.length, B.tokens.length);
  for (let i = 0; i < n; i++) {
    const x = A.tokens[i];
    const y = B.tokens[i];
    if (x === undefined || y === undefined) {
      // the longer one: smaller if it goes on with a pre-release, equal if only zeros follow
      const rest = x === undefined ? B.tokens.slice(i) : A.tokens.slice(i);
      const sign = x === undefined ? -1 : 1;
      const next = rest.find((t) => t !== 0);
      if (next === undefined) return 0;
      return isPre(next) ? -sign : sign;
    }
    if (typeof x === 'number' && typeof y === 'number') {
      if (x !== y) return x - y;
      continue;
    }
    if (typeof x === 'string' && typeof y === 'string') {
      const c = cmpWord(x, y);
      if (c !== 0) return c;
      continue;
    }
    // a number against a word: a pre-release word is older than any number; another word
    // (a patch letter like the `p` of 9.2p1) is newer than nothing but older than a number
    return typeof x === 'number' ? 1 : -1;
  }
  return 0;
}

/** A version interval as NVD writes it; absent bounds are open. */
export interface VersionRange {
  versionStartIncluding?: string;
  versionStartExcluding?: string;
  versionEndIncluding?: string;
  versionEndExcluding?: string;
}

/** True when `version` lies in the range (every given bound holds). */
export function inVersionRange(version: string, r: VersionRange): boolean {
  if (r.versionStartIncluding !== undefined && compareVersions(version, r.versionStartIncluding) < 0)
    return false;
  if (r.versionStartExcluding !== undefined && compareVersions(version, r.versionStartExcluding) <= 0)
    return false;
  if (r.versionEndIncluding !== undefined && compareVersions(version, r.versionEndIncluding) > 0)
    return false;
  if (r.versionEndExcluding !== undefined && compareVersions(version, r.versionEndExcluding) >= 0)
    return false;
  return true;
}

/** Human form of a range: `>= 8.5, < 9.8`. */
export function describeRange(r: VersionRange): string {
  const parts: string[] = [];
  if (r.versionStartIncluding !== undefined) parts.push(`>= ${r.versionStartIncluding}`);
  if (r.versionStartExcluding !== undefined) parts.push(`> ${r.versionStartExcluding}`);
  if (r.versionEndIncluding !== undefined) parts.push(`<= ${r.versionEndIncluding}`);
  if (r.versionEndExcluding !== undefined) parts.push(`< ${r.versionEndExcluding}`);
  return parts.length > 0 ? parts.join(', ') : 'all versions';
}
