/**
 * Version requirements of suricata-verify tests (`min-version`, `lt-version`, `gt-version`,
 * `version`), compared the way its runner does: `8` means 8.x.y, `7.0` means 7.0.y.
 */

export interface Version {
  major: number;
  minor: number | null;
  patch: number | null;
}

export function parseVersion(v: unknown): Version | null {
  const m = /(\d+)\.?(\d+)?\.?(\d+)?/.exec(String(v).trim());
  if (!m) return null;
  return {
    major: Number(m[1]),
    minor: m[2] !== undefined ? Number(m[2]) : null,
    patch: m[3] !== undefined ? Number(m[3]) : null,
  };
}

/** -1, 0, 1; missing parts of `req` count as equal (so 8 == 8.0.3). */
function compare(have: Version, req: Version): number {
  if (have.major !== req.major) return have.major < req.major ? -1 : 1;
  if (req.minor === null) return 0;
  const hm = have.minor ?? 0;
  if (hm !== req.minor) return hm < req.minor ? -1 : 1;
  if (req.patch === null) return 0;
  const hp = have.patch ?? 0;
  if (hp !== req.patch) return hp < req.patch ? -1 : 1;
  return 0;
}

/** Null when the claimed version satisfies the requirement keys present, else the reason. */
export function versionSatisfies(requires: Record<string, unknown>, claimed: string): string | null {
  const have = parseVersion(claimed);
  if (!have) return `bad version ${claimed}`;
  for (const [k, v] of Object.entries(requires)) {
    const req = parseVersion(v);
    if (k === 'min-version') {
      if (!req || compare(have, req) < 0) return `requires at least version ${v}`;
    } else if (k === 'lt-version') {
      if (!req || compare(have, req) >= 0) return `requires a version below ${v}`;
    } else if (k === 'gt-version') {
      if (!req || compare(have, req) <= 0) return `requires a version above ${v}`;
    } else if (k === 'version') {
      if (!req || compare(have, req) !== 0) return `only for version ${v}`;
    }
  }
  return null;
}
