/**
 * The interactive prompt: line editing and history from node:readline, multi-line input while
 * brackets, braces or a block comment are open, values of expressions printed, errors printed
 * without leaving. Ctrl+C stops a running input (or clears a pending one); Ctrl+D or `.exit` leaves.
 */
import readline from 'node:readline';
import { ErrorCodes, SentraError } from '../errors.js';
import { VERSION } from '../version.js';
import { formatScriptError } from './format-error.js';
import type { Interpreter } from './interpreter.js';
import { parseScript } from './parser.js';
import { ScriptAbort } from './script-error.js';
import { KEYWORDS } from './tokens.js';
import { repr } from './values.js';

export interface ReplOptions {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  /** Create it with `stdout` writing to the same output. */
  readonly interpreter: Interpreter;
  /** Line editing and history (true on a terminal). */
  readonly terminal?: boolean;
  /** Print `{"value": ...}` / `{"error": ...}` lines instead of text. */
  readonly json?: boolean;
}

export const PROMPT = 'sentra> ';
export const CONTINUATION_PROMPT = '...... ';

const HELP = `Type Sentra statements; the value of an expression is printed.
A line that leaves a bracket, brace or comment open continues on the next line.
  .help   this text
  .exit   leave (or Ctrl+D); Ctrl+C stops a running input
`;

function isIncomplete(source: string): boolean {
  try {
    parseScript(source, '<repl>');
    return false;
  } catch (e) {
    return e instanceof SentraError && e.code === ErrorCodes.SCRIPT_SYNTAX && e.details.incomplete === true;
  }
}

function jsonSafe(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    typeof x === 'function' ? repr(x) : x === undefined ? null : x,
  );
}

/** Runs the prompt until end of input, `.exit` or `exit()`; resolves with the exit code. */
export async function startRepl(options: ReplOptions): Promise<number> {
  const { input, output, interpreter, json = false } = options;
  const rl = readline.createInterface({
    input,
    output,
    prompt: json ? '' : PROMPT,
    terminal: options.terminal ?? false,
    historySize: 1000,
    completer: (line: string): [string[], string] => {
      const word = /[A-Za-z_][A-Za-z0-9_]*$/.exec(line)?.[0] ?? '';
      const names = [...interpreter.globalNames(), ...KEYWORDS].filter((n) => n.startsWith(word)).sort();
      return [names, word];
    },
  });
  const print = (text: string) => void output.write(text);
  let buffer = '';
  let count = 0;
  let running: AbortController | null = null;
  const prompt = (p: string) => {
    if (json) return;
    rl.setPrompt(p);
    rl.prompt();
  };

  rl.on('SIGINT', () => {
    if (running !== null) {
      running.abort(new ScriptAbort(ErrorCodes.SCRIPT_ABORTED, 'interrupted'));
    } else if (buffer !== '') {
      buffer = '';
      print('\n');
      prompt(PROMPT);
    } else {
      print('\n(To exit, press Ctrl+D or type .exit)\n');
      prompt(PROMPT);
    }
  });

  if (!json) print(`Sentra ${VERSION} - .help for help, .exit or Ctrl+D to leave\n`);
  prompt(PROMPT);
  try {
    for await (const line of rl) {
      if (buffer === '' && /^\s*\.\w+\s*$/.test(line)) {
        const cmd = line.trim();
        if (cmd === '.exit') return 0;
        print(cmd === '.help' ? HELP : `unknown command ${cmd} (try .help)\n`);
        prompt(PROMPT);
        continue;
      }
      buffer += line + '\n';
      if (buffer.trim() === '') {
        buffer = '';
        prompt(PROMPT);
        continue;
      }
      if (isIncomplete(buffer)) {
        prompt(CONTINUATION_PROMPT);
        continue;
      }
      const source = buffer;
      buffer = '';
      running = new AbortController();
      try {
        const r = await interpreter.evaluate(source, { file: `<repl:${++count}>`, signal: running.signal });
        if (r.exitCode !== null) return r.exitCode;
        if (r.isExpression && (json || r.value !== null)) {
          print(json ? `{"value":${jsonSafe(r.value)}}\n` : `${repr(r.value)}\n`);
        }
      } catch (e) {
        if (json)
          print(
            `${JSON.stringify({ error: e instanceof SentraError ? e.toJSON() : { message: String(e) } })}\n`,
          );
        else print(formatScriptError(e));
      } finally {
        running = null;
      }
      prompt(PROMPT);
    }
    return 0;
  } finally {
    rl.close();
  }
}
