/**
 * Sentra's public TypeScript API. Everything exported here is documented and stable within a
 * major version.
 */
export * from './api/index.js';
export * from './api/response/index.js';
export * from './capture/index.js';
export * from './errors.js';
export * from './firewall/index.js';
export * from './flow/index.js';
export {
  BUILTIN_NAMES,
  createInterpreter,
  createRunContext,
  type EvalResult,
  type HostFunction,
  type HostFunctionTable,
  type Interpreter,
  type InterpreterOptions,
  parseIfaceMap,
  parseScript,
  type RunContext,
  type RunResult,
  type RunScriptOptions,
  runScript,
  ScriptAbort,
  ScriptError,
  ScriptExit,
  type ScriptHost,
  type ScriptHostProvider,
} from './lang/index.js';
export * from './monitor/index.js';
export * from './net/address.js';
export * from './packet/index.js';
export * from './proxy/index.js';
export * from './qos/index.js';
export * from './scan/index.js';
export { VERSION } from './version.js';
