/**
 * Exit codes of every `sentra` command, so that scripts can rely on them. Documented in
 * docs/cli.md; never reuse a number for another meaning.
 */
export const ExitCode = {
  /** Success (for `ids`: whether or not alerts fired). */
  OK: 0,
  /** The command failed at run time (I/O, network, backend error). */
  FAILURE: 1,
  /** Bad usage or invalid input: unknown option, bad address, bad rule, bad config. */
  USAGE: 2,
  /** The input was damaged (truncated or corrupt capture): everything before the damage was processed. */
  DAMAGED_INPUT: 3,
  /** A required system component or privilege is missing (libpcap, nft, root). */
  UNAVAILABLE: 4,
  /** Stopped by its own time limit (`sentra run --timeout`), after a clean shutdown; as timeout(1). */
  TIMEOUT: 124,
  /** Interrupted by SIGINT/SIGTERM after a clean shutdown. */
  INTERRUPTED: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
