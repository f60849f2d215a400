/**
 * What every CLI command shares: uniform error reporting (text or JSON), exit codes derived
 * from error codes, and `--json` output. Commands register themselves through
 * `src/cli/commands/index.ts`.
 */
import type { Command } from 'commander';
import { type ErrorCode, ErrorCodes, toSentraError } from '../errors.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';

export type CommandRegistrar = (program: Command) => void;

const USAGE_CODES = new Set<ErrorCode>([
  ErrorCodes.INVALID_ARGUMENT,
  ErrorCodes.INVALID_CONFIG,
  ErrorCodes.INVALID_IP,
  ErrorCodes.INVALID_CIDR,
  ErrorCodes.INVALID_PORT,
  ErrorCodes.INVALID_PORT_RANGE,
  ErrorCodes.FILTER_SYNTAX,
  ErrorCodes.FILTER_UNSUPPORTED,
  ErrorCodes.RULE_SYNTAX,
  ErrorCodes.SCRIPT_SYNTAX,
  ErrorCodes.NOT_FOUND,
  ErrorCodes.FIREWALL_PROTECTED_ADDRESS,
  ErrorCodes.FIREWALL_UNSAFE_POLICY,
  ErrorCodes.SCAN_TARGET_TOO_LARGE,
]);
const DAMAGED_CODES = new Set<ErrorCode>([
  ErrorCodes.PCAP_TRUNCATED,
  ErrorCodes.PCAP_CORRUPT,
  ErrorCodes.PCAP_BAD_MAGIC,
]);
const UNAVAILABLE_CODES = new Set<ErrorCode>([
  ErrorCodes.DEPENDENCY_MISSING,
  ErrorCodes.PERMISSION_DENIED,
  ErrorCodes.CAPTURE_UNAVAILABLE,
]);

export function exitCodeFor(code: ErrorCode): ExitCodeValue {
  if (USAGE_CODES.has(code)) return ExitCode.USAGE;
  if (DAMAGED_CODES.has(code)) return ExitCode.DAMAGED_INPUT;
  if (UNAVAILABLE_CODES.has(code)) return ExitCode.UNAVAILABLE;
  return ExitCode.FAILURE;
}

/** Prints an error the way every command does and returns the exit code to use. */
export function reportError(e: unknown, json: boolean): ExitCodeValue {
  const err = toSentraError(e);
  if (json) {
    process.stdout.write(JSON.stringify({ error: err.toJSON() }) + '\n');
  } else {
    process.stderr.write(`sentra: ${err.message} [${err.code}]\n`);
    if (err.code === ErrorCodes.INTERNAL && err.stack && process.env.SENTRA_DEBUG) {
      process.stderr.write(err.stack + '\n');
    }
  }
  return exitCodeFor(err.code);
}

/**
 * Wraps a command's action: runs it, turns a thrown error into a message and an exit code,
 * and sets `process.exitCode` (never `process.exit`, so pending output is flushed).
 */
export function action<A extends unknown[]>(
  fn: (...args: A) => Promise<ExitCodeValue | undefined | void> | ExitCodeValue | undefined | void,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    // commander passes (args..., options, command); the options object carries --json
    const opts = args[args.length - 2] as { json?: boolean } | undefined;
    try {
      const code = await fn(...args);
      process.exitCode = code ?? ExitCode.OK;
    } catch (e) {
      process.exitCode = reportError(e, Boolean(opts && typeof opts === 'object' && opts.json));
    }
  };
}

/** Writes one JSON value per line (JSON Lines) to stdout. */
export function writeJsonLine(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}
