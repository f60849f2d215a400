/**
 * Turns what a user typed as a target (an address or a host name) into one numeric address.
 * Names are resolved with the system resolver (`getaddrinfo`), as every other tool does.
 */
import { lookup } from 'node:dns/promises';
import { ErrorCodes, SentraError } from '../errors.js';
import { isIp, normalizeIp } from '../net/address.js';

export interface ResolvedTarget {
  /** As given. */
  target: string;
  /** Numeric address. */
  address: string;
  family: 4 | 6;
}

export async function resolveTarget(target: string): Promise<ResolvedTarget> {
  if (typeof target !== 'string' || target.trim() === '') {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      'the scan target is empty: give an IP address or a host name',
    );
  }
  const t = target.trim();
  if (isIp(t)) {
    const address = normalizeIp(t);
    return { target: t, address, family: address.includes(':') ? 6 : 4 };
  }
  if (
    t.length > 253 ||
    !/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(t)
  ) {
    throw new SentraError(
      ErrorCodes.INVALID_ARGUMENT,
      `"${t.slice(0, 60)}" is neither an IP address nor a host name`,
      {
        details: { target: t.slice(0, 100) },
      },
    );
  }
  try {
    const r = await lookup(t);
    return { target: t, address: r.address, family: r.family === 6 ? 6 : 4 };
  } catch (e) {
    throw new SentraError(ErrorCodes.NOT_FOUND, `cannot resolve host name "${t}": ${(e as Error).message}`, {
      cause: e,
      details: { target: t },
    });
  }
}
