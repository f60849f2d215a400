/** Small helpers for the language tests: run a script and collect what it printed. */
import { SentraError } from '../../src/errors.js';
import { createInterpreter, type InterpreterOptions } from '../../src/lang/interpreter.js';

export interface Ran {
  out: string;
  exitCode: number;
}

/** Runs `source` as file `t.sn` and returns its output. */
export async function run(source: string, options: Omit<InterpreterOptions, 'stdout'> = {}): Promise<Ran> {
  let out = '';
  const interp = createInterpreter({
    ...options,
    stdout: (t) => {
      out += t;
    },
  });
  const r = await interp.run(source, 't.sn');
  return { out, exitCode: r.exitCode };
}

/** The output lines of a script. */
export async function lines(
  source: string,
  options: Omit<InterpreterOptions, 'stdout'> = {},
): Promise<string[]> {
  const { out } = await run(source, options);
  return out.split('\n').slice(0, -1);
}

/** The value of one expression. */
export async function value(expr: string): Promise<unknown> {
  const interp = createInterpreter({ stdout: () => {} });
  const r = await interp.evaluate(expr);
  return r.value;
}

/** The error a script fails with (the test fails if it does not fail), plus what it printed before. */
export async function failure(
  source: string,
  options: Omit<InterpreterOptions, 'stdout'> = {},
): Promise<SentraError & { out: string }> {
  let out = '';
  const interp = createInterpreter({
    ...options,
    stdout: (t) => {
      out += t;
    },
  });
  try {
    await interp.run(source, 't.sn');
  } catch (e) {
    if (!(e instanceof SentraError)) throw e;
    return Object.assign(e, { out });
  }
  throw new Error(`script did not fail; it printed:\n${out}`);
}
