/** The Sentra scripting language: parser, interpreter, host function plumbing, REPL. */
export type * from './ast.js';
export { BUILTIN_NAMES } from './builtins/index.js';
export {
  createRunContext,
  type HostFunction,
  type HostFunctionTable,
  parseIfaceMap,
  type RunContext,
  type ScriptHost,
  type ScriptHostProvider,
} from './host.js';
export {
  createInterpreter,
  type EvalResult,
  type Interpreter,
  type InterpreterOptions,
  type RunResult,
} from './interpreter.js';
export { tokenize } from './lexer.js';
export { parseScript } from './parser.js';
export { type ReplOptions, startRepl } from './repl.js';
export { disposeHosts, type RunScriptOptions, runScript, startHosts } from './run-script.js';
export { codeFrame, ScriptAbort, ScriptError, ScriptExit, type SourcePos } from './script-error.js';
export { isMap, repr, toDisplay, truthy, typeName } from './values.js';
