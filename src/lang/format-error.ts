/** How `sentra run` and the REPL print a script error: message, source line with a caret, script stack. */
import { SentraError, toSentraError } from '../errors.js';

export function formatScriptError(e: unknown, withCode = true): string {
  const err = e instanceof SentraError ? e : toSentraError(e);
  const lines = [withCode ? `${err.message} [${err.code}]` : err.message];
  const frame = err.details.frame;
  if (typeof frame === 'string') lines.push(...frame.split('\n').map((l) => `  ${l}`));
  const stack = err.details.stack;
  if (Array.isArray(stack)) for (const s of stack) lines.push(`    ${String(s)}`);
  return lines.join('\n') + '\n';
}
