/**
 * Turns the addon's errors (plain Errors whose `code` is a short string set in native/common.h)
 * into SentraErrors with stable codes and messages a person can act on.
 */
import { type ErrorCode, ErrorCodes, SentraError } from '../errors.js';

/** What was being done, for the message and the details. */
export interface NativeErrorContext {
  /** e.g. `open`, `setFilter`, `inject`. */
  op: string;
  interface?: string;
  netns?: string;
  filter?: string;
}

function where(ctx: NativeErrorContext): string {
  const ns = ctx.netns ? ` in network namespace ${ctx.netns}` : '';
  return ctx.interface ? `interface ${ctx.interface}${ns}` : `network namespace ${ctx.netns ?? '(current)'}`;
}

export function fromNativeError(e: unknown, ctx: NativeErrorContext): SentraError {
  if (e instanceof SentraError) return e;
  const err = e as Error & { code?: string };
  const native = typeof err?.code === 'string' ? err.code : '';
  const msg = err instanceof Error ? err.message : String(e);
  const details: Record<string, unknown> = { ...ctx, native, libpcap: msg };
  let code: ErrorCode = ErrorCodes.CAPTURE_OPEN_FAILED;
  const on = ctx.interface || ctx.netns ? ` on ${where(ctx)}` : '';
  let text = `${ctx.op}${on} failed: ${msg}`;
  switch (native) {
    case 'ENODEV':
      code = ErrorCodes.NOT_FOUND;
      text = `${where(ctx)} does not exist (list interfaces with \`ip link\` or listInterfaces()): ${msg}`;
      break;
    case 'EPERM':
      code = ErrorCodes.PERMISSION_DENIED;
      text =
        `${ctx.op}${on} needs root or the CAP_NET_RAW and CAP_NET_ADMIN capabilities ` +
        `(for example \`setcap cap_net_raw,cap_net_admin=eip $(command -v node)\`): ${msg}`;
      break;
    case 'ENETDOWN':
      code = ErrorCodes.CAPTURE_OPEN_FAILED;
      text = `${where(ctx)} is down (bring it up with \`ip link set ${ctx.interface ?? 'IF'} up\`): ${msg}`;
      break;
    case 'EFILTER':
      code = ErrorCodes.FILTER_SYNTAX;
      text = `invalid capture filter ${JSON.stringify(ctx.filter ?? '')}: ${msg}`;
      break;
    case 'ENETNS':
      code = /No such file/.test(msg) ? ErrorCodes.NOT_FOUND : ErrorCodes.CAPTURE_OPEN_FAILED;
      if (/Operation not permitted|Permission denied/.test(msg)) code = ErrorCodes.PERMISSION_DENIED;
      text = `${ctx.op}: ${msg}`;
      break;
    case 'ESEND':
      code = ErrorCodes.CAPTURE_SEND_FAILED;
      break;
    case 'ECLOSED':
      code = ErrorCodes.INVALID_STATE;
      text = `${ctx.op}: the handle is already closed`;
      break;
    case 'EINVAL':
      code = ErrorCodes.INVALID_ARGUMENT;
      text = `${ctx.op}: ${msg}`;
      break;
    default:
      break;
  }
  return new SentraError(code, text, { details, cause: e });
}
