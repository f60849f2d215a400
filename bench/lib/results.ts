/**
 * Benchmarks write their last results into bench/RESULTS.md, each into its own section between
 * `<!-- bench:NAME -->` markers, so that several benchmarks update the file without touching
 * each other's numbers. Each section records the machine and the date of the run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'RESULTS.md');

/** One line describing this machine: CPU model, cores, memory, kernel, Node version. */
export function machineInfo(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const mem = (os.totalmem() / 2 ** 30).toFixed(0);
  let distro = '';
  try {
    distro = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '';
  } catch {
    /* not Linux */
  }
  return `${cpu}, ${os.cpus().length} cores, ${mem} GiB, ${distro} (kernel ${os.release()}), Node ${process.version}`;
}

/** Version line of a peer tool (first line of `cmd args`), or 'not installed'. */
export function toolVersion(cmd: string, args: string[] = ['--version']): string {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return out.split('\n')[0].trim();
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    const text = `${err.stdout ?? ''}${err.stderr ?? ''}`.split('\n')[0].trim();
    return text || 'not installed';
  }
}

/** Renders rows as a Markdown table. */
export function markdownTable(headers: string[], rows: (string | number)[][]): string {
  const esc = (c: string | number) => String(c).replace(/\|/g, '\\|');
  return [
    '| ' + headers.map(esc).join(' | ') + ' |',
    '|' + headers.map(() => '---').join('|') + '|',
    ...rows.map((r) => '| ' + r.map(esc).join(' | ') + ' |'),
  ].join('\n');
}

/** Replaces (or appends) the section `name` of bench/RESULTS.md with `body`. */
export function writeResults(name: string, title: string, body: string): void {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  const section = `${start}\n## ${title}\n\nRun ${date} on ${machineInfo()}.\n\n${body.trim()}\n${end}`;
  let text = existsSync(RESULTS_FILE)
    ? readFileSync(RESULTS_FILE, 'utf8')
    : '# Benchmark results\n\nEach section is written by its script in bench/; rerun the script to refresh it.\n';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i >= 0 && j > i) text = text.slice(0, i) + section + text.slice(j + end.length);
  else text = text.trimEnd() + '\n\n' + section + '\n';
  writeFileSync(RESULTS_FILE, text);
}
