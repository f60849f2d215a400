/**
 * How the outside world plugs functions into Sentra scripts. The API facade (the spec's 44
 * functions) is one such host: it gets a {@link RunContext} (the script's abort signal, the
 * `--iface-map` table, its output) and returns a table of functions.
 */
import { ErrorCodes, SentraError } from '../errors.js';

/**
 * A function a script can call. It receives the script's values as plain JavaScript (numbers,
 * strings, booleans, null, arrays, plain objects, and functions: a script function arrives as
 * a JS function that returns its result or a Promise of it — `await` it). It returns a plain
 * value or a Promise of one (`undefined` reads as null). To fail, throw a {@link SentraError}:
 * the script can catch it and sees its `code` and `message`.
 */
// biome-ignore lint/suspicious/noExplicitAny: host functions declare their own parameter types
export type HostFunction = (...args: any[]) => unknown;

export type HostFunctionTable = Readonly<Record<string, HostFunction>>;

/** What a host learns about the script run it serves. */
export interface RunContext {
  /** The script's path (as given to `sentra run`), or `<repl>`. */
  readonly file: string;
  /**
   * `--iface-map eth0=veth-lab0`: interface names the script uses, mapped to the real ones.
   * Hosts that take an interface argument pass it through {@link RunContext.mapInterface}.
   */
  readonly ifaceMap: ReadonlyMap<string, string>;
  /** Aborted when the script is stopped (timeout, Ctrl-C): long host operations should stop too. */
  readonly signal: AbortSignal;
  /** The mapped name of an interface, or the name itself when it is not mapped. */
  mapInterface(name: string): string;
  /** Writes text to the script's output (where `log` writes). */
  readonly write: (text: string) => void;
  /**
   * Host-specific settings from the command line, by name (e.g. the API facade's `targetMap`
   * from `sentra run --target-map`). Hosts check the values they read.
   */
  readonly options: Readonly<Record<string, unknown>>;
}

/** One host's contribution to a run: its functions, and how to release what they started. */
export interface ScriptHost {
  readonly functions: HostFunctionTable;
  /** Called once when the script ends however it ends (stop captures, servers, timers). */
  dispose?(): void | Promise<void>;
}

/** A source of host functions, started once per script run. */
export interface ScriptHostProvider {
  /** The names `start` will provide, known without starting anything (for `sentra run --check`). */
  readonly functionNames: readonly string[];
  start(ctx: RunContext): ScriptHost | Promise<ScriptHost>;
}

const IFACE_NAME = /^[A-Za-z0-9_.:@-]{1,15}$/;

/**
 * Parses `--iface-map` values: `NAME=IFACE`, several per value separated by commas.
 * Throws SENTRA_ERR_INVALID_ARGUMENT for anything else.
 */
export function parseIfaceMap(values: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const value of values) {
    for (const item of value.split(',')) {
      const entry = item.trim();
      if (entry === '') continue;
      const eq = entry.indexOf('=');
      const from = eq < 0 ? '' : entry.slice(0, eq).trim();
      const to = eq < 0 ? '' : entry.slice(eq + 1).trim();
      if (!IFACE_NAME.test(from) || !IFACE_NAME.test(to)) {
        throw new SentraError(
          ErrorCodes.INVALID_ARGUMENT,
          `--iface-map: '${entry}' is not NAME=INTERFACE (interface names are 1-15 letters, digits or ._:@-)` +
            (eq < 0 && entry.endsWith('.sn') ? '; put the script file before --iface-map' : ''),
          { details: { value: entry } },
        );
      }
      if (map.has(from) && map.get(from) !== to) {
        throw new SentraError(ErrorCodes.INVALID_ARGUMENT, `--iface-map: '${from}' is mapped twice`, {
          details: { name: from },
        });
      }
      map.set(from, to);
    }
  }
  return map;
}

/** A RunContext for the given settings. */
export function createRunContext(settings: {
  file: string;
  ifaceMap?: ReadonlyMap<string, string>;
  signal?: AbortSignal;
  write: (text: string) => void;
  options?: Readonly<Record<string, unknown>>;
}): RunContext {
  const ifaceMap = settings.ifaceMap ?? new Map<string, string>();
  return {
    file: settings.file,
    ifaceMap,
    signal: settings.signal ?? new AbortController().signal,
    mapInterface: (name: string) => ifaceMap.get(name) ?? name,
    write: settings.write,
    options: settings.options ?? {},
  };
}
