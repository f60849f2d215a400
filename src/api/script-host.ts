/**
 * The facade as a Sentra script host: each `sentra run` gets its own {@link ApiContext} (its
 * `--iface-map`, its `--target-map`, its abort signal), and everything the script started is
 * stopped when it ends, however it ends.
 */
import { ErrorCodes, SentraError } from '../errors.js';
import type { RunContext, ScriptHost, ScriptHostProvider } from '../lang/host.js';
import { ApiContext } from './context.js';
import { API_FUNCTIONS, bindApi } from './table.js';
import { TargetMap } from './target-map.js';

/** The run option through which `sentra run --target-map` reaches this host. */
export const TARGET_MAP_OPTION = 'targetMap';

export const apiScriptHost: ScriptHostProvider = {
  functionNames: Object.keys(API_FUNCTIONS),
  start(run: RunContext): ScriptHost {
    const targetMap = run.options[TARGET_MAP_OPTION];
    if (targetMap !== undefined && !(targetMap instanceof TargetMap)) {
      throw new SentraError(ErrorCodes.INVALID_CONFIG, `run option ${TARGET_MAP_OPTION} must be a TargetMap`);
    }
    const ctx = new ApiContext({ ifaceMap: run.ifaceMap, targetMap, signal: run.signal });
    return { functions: bindApi(() => ctx), dispose: () => ctx.dispose() };
  },
};
