/**
 * Where Sentra keeps its state (SQLite databases, settings): one data directory shared by every
 * module. `$SENTRA_HOME` wins; otherwise root uses `/var/lib/sentra` (the FHS place for a
 * system service's state) and other users `$XDG_DATA_HOME/sentra` (`~/.local/share/sentra`).
 */
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorCodes, SentraError } from '../errors.js';

/** The data directory, without creating it. */
export function sentraHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SENTRA_HOME) return path.resolve(env.SENTRA_HOME);
  if (typeof process.getuid === 'function' && process.getuid() === 0) return '/var/lib/sentra';
  const xdg = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : undefined;
  return path.join(xdg ?? path.join(os.homedir(), '.local', 'share'), 'sentra');
}

/**
 * The path of `name` inside the data directory, creating the directory (mode 0700: bans, reasons
 * and addresses are not for every local user) when it does not exist yet.
 */
export function dataFile(name: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(name) || name.startsWith('.')) {
    throw new SentraError(ErrorCodes.INVALID_ARGUMENT, `invalid data file name ${JSON.stringify(name)}`);
  }
  const dir = sentraHome(env);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new SentraError(
      ErrorCodes.IO,
      `cannot create the data directory ${dir}: ${(e as Error).message} (set SENTRA_HOME to a writable directory)`,
      { cause: e, details: { dir } },
    );
  }
  return path.join(dir, name);
}
