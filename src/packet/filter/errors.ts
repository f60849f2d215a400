/** Errors of the filter compiler: where in the expression, and what was wrong or expected. */
import { ErrorCodes, SentraError } from '../../errors.js';

export interface FilterErrorDetails {
  /** The whole expression. */
  expression: string;
  /** 0-based offset of the offending text in the expression. */
  position: number;
  /** 1-based column, for people. */
  column: number;
  /** What the parser would have accepted there (syntax errors only). */
  expected?: string[];
  /** What it found instead. */
  found?: string;
}

function prefix(kind: string, expression: string, position: number): string {
  const shown = expression.length > 80 ? `${expression.slice(0, 80)}…` : expression;
  return `${kind} ${JSON.stringify(shown)} at column ${position + 1}`;
}

/** FILTER_SYNTAX: the expression does not parse, or libpcap would refuse to compile it. */
export function filterSyntaxError(
  expression: string,
  position: number,
  message: string,
  extra: { expected?: string[]; found?: string } = {},
): SentraError {
  const details: FilterErrorDetails = { expression, position, column: position + 1, ...extra };
  return new SentraError(
    ErrorCodes.FILTER_SYNTAX,
    `${prefix('invalid filter', expression, position)}: ${message}`,
    {
      details: { ...details },
    },
  );
}

/** FILTER_UNSUPPORTED: valid pcap-filter syntax that Sentra's compiler does not implement. */
export function filterUnsupportedError(
  expression: string,
  position: number,
  feature: string,
  hint?: string,
): SentraError {
  const details: FilterErrorDetails = { expression, position, column: position + 1 };
  const msg = `${prefix('filter', expression, position)}: ${feature} is not supported by Sentra's filter compiler`;
  return new SentraError(ErrorCodes.FILTER_UNSUPPORTED, hint ? `${msg} (${hint})` : msg, {
    details: { ...details },
  });
}
