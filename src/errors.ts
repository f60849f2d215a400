/**
 * Every error Sentra raises on purpose is a {@link SentraError} with a stable code from
 * {@link ErrorCodes}. Codes never change meaning once released: scripts, the HTTP API and the
 * CLI's `--json` output rely on them. Add new codes in the section of the module that raises them.
 */

export const ErrorCodes = {
  // --- generic -------------------------------------------------------------------------
  /** An argument has the wrong type, is out of range or malformed. */
  INVALID_ARGUMENT: 'SENTRA_ERR_INVALID_ARGUMENT',
  /** A configuration file or key is invalid. */
  INVALID_CONFIG: 'SENTRA_ERR_INVALID_CONFIG',
  /** A referenced resource (capture id, rule id, proxy id...) does not exist. */
  NOT_FOUND: 'SENTRA_ERR_NOT_FOUND',
  /** The operation needs privileges (root or a capability) the process does not have. */
  PERMISSION_DENIED: 'SENTRA_ERR_PERMISSION_DENIED',
  /** A system component (library, command, kernel feature) is missing. */
  DEPENDENCY_MISSING: 'SENTRA_ERR_DEPENDENCY_MISSING',
  /** An external command failed. */
  COMMAND_FAILED: 'SENTRA_ERR_COMMAND_FAILED',
  /** A file could not be opened, read or written. */
  IO: 'SENTRA_ERR_IO',
  /** The operation did not finish in time. */
  TIMEOUT: 'SENTRA_ERR_TIMEOUT',
  /** The resource is in a state that does not allow the operation (already stopped...). */
  INVALID_STATE: 'SENTRA_ERR_INVALID_STATE',
  /** A bug: an invariant was broken. Please report it. */
  INTERNAL: 'SENTRA_ERR_INTERNAL',

  // --- addresses, ports, CIDRs (shared validation) -------------------------------------
  INVALID_IP: 'SENTRA_ERR_INVALID_IP',
  INVALID_CIDR: 'SENTRA_ERR_INVALID_CIDR',
  INVALID_PORT: 'SENTRA_ERR_INVALID_PORT',
  INVALID_PORT_RANGE: 'SENTRA_ERR_INVALID_PORT_RANGE',

  // --- packet: capture files and decoding -----------------------------------------------
  PCAP_BAD_MAGIC: 'SENTRA_ERR_PCAP_BAD_MAGIC',
  PCAP_TRUNCATED: 'SENTRA_ERR_PCAP_TRUNCATED',
  PCAP_CORRUPT: 'SENTRA_ERR_PCAP_CORRUPT',
  PCAP_UNSUPPORTED_LINKTYPE: 'SENTRA_ERR_PCAP_UNSUPPORTED_LINKTYPE',
  FILTER_SYNTAX: 'SENTRA_ERR_FILTER_SYNTAX',
  /** A valid pcap-filter expression using a feature Sentra's filter compiler does not implement. */
  FILTER_UNSUPPORTED: 'SENTRA_ERR_FILTER_UNSUPPORTED',

  // --- capture (live) ------------------------------------------------------------------
  /** libpcap or Sentra's libpcap addon is missing: the message names what to install. */
  CAPTURE_UNAVAILABLE: 'SENTRA_ERR_CAPTURE_UNAVAILABLE',
  /** libpcap could not open or configure the interface (down, unsupported...). */
  CAPTURE_OPEN_FAILED: 'SENTRA_ERR_CAPTURE_OPEN_FAILED',
  /** A running capture stopped on an error (the interface went away...). */
  CAPTURE_FAILED: 'SENTRA_ERR_CAPTURE_FAILED',
  /** Injecting a frame or sending a raw IP packet failed. */
  CAPTURE_SEND_FAILED: 'SENTRA_ERR_CAPTURE_SEND_FAILED',

  // --- flow ----------------------------------------------------------------------------

  // --- ids -----------------------------------------------------------------------------
  RULE_SYNTAX: 'SENTRA_ERR_RULE_SYNTAX',
  RULE_UNSUPPORTED: 'SENTRA_ERR_RULE_UNSUPPORTED',
  /** A stream reassembly or HTTP parser setting is out of range (ids/stream, ids/app). */
  STREAM_CONFIG: 'SENTRA_ERR_STREAM_CONFIG',

  // --- anomaly detection and ML classifiers ---------------------------------------------
  /** An anomaly model file is not a model this version reads (format, version, sizes). */
  ANOMALY_MODEL_INVALID: 'SENTRA_ERR_ANOMALY_MODEL_INVALID',
  /** A model was asked of an anomaly detector whose training is not over. */
  ANOMALY_NOT_TRAINED: 'SENTRA_ERR_ANOMALY_NOT_TRAINED',
  /** An ONNX classifier could not be loaded or does not fit the flow columns. */
  ONNX_MODEL_INVALID: 'SENTRA_ERR_ONNX_MODEL_INVALID',

  // --- firewall / qos ------------------------------------------------------------------
  FIREWALL_BACKEND: 'SENTRA_ERR_FIREWALL_BACKEND',
  FIREWALL_PROTECTED_ADDRESS: 'SENTRA_ERR_FIREWALL_PROTECTED_ADDRESS',
  FIREWALL_UNSAFE_POLICY: 'SENTRA_ERR_FIREWALL_UNSAFE_POLICY',
  /** A ban, allow or port block overlaps an existing one in a way the kernel set cannot hold. */
  FIREWALL_CONFLICT: 'SENTRA_ERR_FIREWALL_CONFLICT',
  /** The interface already has a queueing discipline that Sentra did not create. */
  QOS_FOREIGN_QDISC: 'SENTRA_ERR_QOS_FOREIGN_QDISC',

  // --- proxy ---------------------------------------------------------------------------
  PROXY_LISTEN_FAILED: 'SENTRA_ERR_PROXY_LISTEN_FAILED',
  BACKEND_UNAVAILABLE: 'SENTRA_ERR_BACKEND_UNAVAILABLE',

  // --- scan ----------------------------------------------------------------------------
  SCAN_TARGET_TOO_LARGE: 'SENTRA_ERR_SCAN_TARGET_TOO_LARGE',

  // --- lang (Sentra scripts) -----------------------------------------------------------
  SCRIPT_SYNTAX: 'SENTRA_ERR_SCRIPT_SYNTAX',
  SCRIPT_RUNTIME: 'SENTRA_ERR_SCRIPT_RUNTIME',
  /** A script was stopped from outside (SIGINT/SIGTERM, or its caller's AbortSignal). */
  SCRIPT_ABORTED: 'SENTRA_ERR_SCRIPT_ABORTED',

  // --- api (the spec's 44 functions) ----------------------------------------------------
  /** An address or host outside the destinations `--target-map` confines the run to. */
  TARGET_NOT_ALLOWED: 'SENTRA_ERR_TARGET_NOT_ALLOWED',

  // --- server --------------------------------------------------------------------------
  UNAUTHORIZED: 'SENTRA_ERR_UNAUTHORIZED',
  /** A request body (upload, JSON) is larger than the daemon accepts. */
  REQUEST_TOO_LARGE: 'SENTRA_ERR_REQUEST_TOO_LARGE',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface SentraErrorOptions {
  /** Machine-readable facts about the failure (file, offset, line, keyword...). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** The one error class of Sentra: a stable `code`, a message a person can act on, details. */
export class SentraError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: SentraErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SentraError';
    this.code = code;
    this.details = options.details ?? {};
  }

  toJSON(): { code: ErrorCode; message: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isSentraError(e: unknown): e is SentraError {
  return e instanceof SentraError;
}

/** Wraps anything thrown into a SentraError, keeping SentraErrors as they are. */
export function toSentraError(e: unknown, fallback: ErrorCode = ErrorCodes.INTERNAL): SentraError {
  if (e instanceof SentraError) return e;
  if (e instanceof Error) {
    const errno = (e as NodeJS.ErrnoException).code;
    if (errno === 'ENOENT' || errno === 'EISDIR' || errno === 'ENOTDIR') {
      return new SentraError(ErrorCodes.IO, e.message, { cause: e, details: { errno } });
    }
    if (errno === 'EACCES' || errno === 'EPERM') {
      return new SentraError(ErrorCodes.PERMISSION_DENIED, e.message, { cause: e, details: { errno } });
    }
    return new SentraError(fallback, e.message, { cause: e });
  }
  return new SentraError(fallback, String(e));
}
