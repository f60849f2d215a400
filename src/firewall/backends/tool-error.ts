/** Errors of the firewall tools (nft, iptables, ipset), turned into SentraErrors a person can act on. */
import { ErrorCodes, SentraError } from '../../errors.js';

export function isMissingObject(e: unknown): boolean {
  if (!(e instanceof SentraError) || e.code !== ErrorCodes.COMMAND_FAILED) return false;
  const stderr = String(e.details.stderr ?? e.message);
  return /No such file or directory|does not exist/.test(stderr);
}

/** Turns a failed nft/iptables run into FIREWALL_BACKEND, keeping missing tools and privileges apart. */
export function backendError(e: unknown, tool: string): SentraError {
  if (!(e instanceof SentraError))
    return new SentraError(ErrorCodes.FIREWALL_BACKEND, String(e), { cause: e });
  if (e.code !== ErrorCodes.COMMAND_FAILED) return e;
  const stderr = String(e.details.stderr ?? '');
  if (/Operation not permitted|Permission denied|must be root|you must be root/i.test(stderr)) {
    return new SentraError(
      ErrorCodes.PERMISSION_DENIED,
      `${tool} needs root (or CAP_NET_ADMIN): ${stderr.trim().split('\n')[0]}; use --backend memory for a dry run`,
      { cause: e, details: e.details },
    );
  }
  return new SentraError(ErrorCodes.FIREWALL_BACKEND, `${tool} refused the change: ${firstLines(stderr)}`, {
    cause: e,
    details: e.details,
  });
}

function firstLines(s: string): string {
  const t = s.trim().split('\n').slice(0, 3).join(' | ');
  return t.length > 500 ? t.slice(0, 500) + '…' : t;
}
