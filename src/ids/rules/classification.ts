/**
 * classification.config (`config classification: name,description,priority`) and
 * reference.config (`config reference: system url-prefix`).
 */
import { readFileSync } from 'node:fs';
import { ErrorCodes, SentraError } from '../../errors.js';

export interface Classification {
  name: string;
  description: string;
  priority: number;
}

export interface ConfigProblem {
  line: number;
  message: string;
}

/** Parses classification.config text; malformed lines are reported, the rest kept. */
export function parseClassificationConfig(text: string): {
  classes: Map<string, Classification>;
  problems: ConfigProblem[];
} {
  const classes = new Map<string, Classification>();
  const problems: ConfigProblem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^config\s+classification\s*:\s*([^,]+),([^,]*),\s*(\d+)\s*$/.exec(line);
    if (!m) {
      problems.push({ line: i + 1, message: 'expected "config classification: name,description,priority"' });
      return;
    }
    const name = m[1].trim();
    // Suricata matches classtypes case-insensitively (it lower-cases both sides)
    classes.set(name.toLowerCase(), { name, description: m[2].trim(), priority: Number(m[3]) });
  });
  return { classes, problems };
}

/** Parses reference.config text: system name (lower-cased) to URL prefix. */
export function parseReferenceConfig(text: string): {
  systems: Map<string, string>;
  problems: ConfigProblem[];
} {
  const systems = new Map<string, string>();
  const problems: ConfigProblem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^config\s+reference\s*:\s*(\S+)\s+(\S+)\s*$/.exec(line);
    if (!m) {
      problems.push({ line: i + 1, message: 'expected "config reference: system url"' });
      return;
    }
    systems.set(m[1].toLowerCase(), m[2]);
  });
  return { systems, problems };
}

export function loadClassificationFile(file: string): Map<string, Classification> {
  return parseClassificationConfig(readConfig(file)).classes;
}

export function loadReferenceFile(file: string): Map<string, string> {
  return parseReferenceConfig(readConfig(file)).systems;
}

function readConfig(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new SentraError(ErrorCodes.IO, `cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
}
