/**
 * Installing without libpcap: the install script must warn and succeed, and the package must
 * then work offline while live capture fails with CAPTURE_UNAVAILABLE naming what to install.
 *
 * Nothing is pretended: a copy of the project (sources, native/, scripts/, package.json; the
 * node_modules linked) is built in a temporary folder
 *   - with libpcap's headers really absent: /usr/include/pcap is hidden under an empty tmpfs
 *     in a private mount namespace (`unshare --mount`), so the script's own check fails;
 *   - with a real compiler failure: CPATH puts a pcap/pcap.h that is an #error first, so
 *     node-gyp runs and the C build fails;
 * and the copy's own loader (which resolves build/ relative to itself) is then used.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../src/errors.js';
import { PROJECT_ROOT } from '../helpers/corpus.js';

const execFileP = promisify(execFile);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function exec(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  try {
    const r = await execFileP(argv[0], argv.slice(1), {
      cwd,
      env: { ...process.env, ...env },
      timeout: 180_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof err.code === 'number' ? err.code : -1,
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? '',
    };
  }
}

/** A copy of the project in a temporary folder, sharing node_modules. */
function copyProject(dir: string): void {
  for (const f of ['package.json', 'binding.gyp', 'tsconfig.json', 'tsconfig.build.json'])
    cpSync(path.join(PROJECT_ROOT, f), path.join(dir, f));
  for (const d of ['native', 'scripts', 'src'])
    cpSync(path.join(PROJECT_ROOT, d), path.join(dir, d), { recursive: true });
  symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
}

/** What a user of the copy sees: live capture refused, offline pieces and the CLI working. */
const CHECK = `
import { captureAvailability, LiveCapture, listInterfaces } from './src/capture/index.ts';
import { parseCidr } from './src/net/address.ts';
const out = { availability: captureAvailability() };
for (const [name, fn] of [['open', () => LiveCapture.open('lo')], ['list', () => listInterfaces()]]) {
  try { fn(); out[name] = 'no error'; } catch (e) { out[name] = { code: e.code, message: e.message }; }
}
out.cidr = parseCidr('10.1.2.0/24').prefix;
console.log(JSON.stringify(out));
`;

async function userView(dir: string): Promise<Record<string, unknown>> {
  writeFileSync(path.join(dir, 'check.ts'), CHECK);
  const r = await exec([process.execPath, '--import', 'tsx', 'check.ts'], dir);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout.trim()) as Record<string, unknown>;
}

function expectUnavailable(view: Record<string, unknown>): void {
  for (const k of ['open', 'list']) {
    const e = view[k] as { code: string; message: string };
    expect(e.code).toBe(ErrorCodes.CAPTURE_UNAVAILABLE);
    expect(e.message).toContain('apt-get install libpcap-dev');
    expect(e.message).toContain('build-native.mjs');
  }
  expect((view.availability as { available: boolean }).available).toBe(false);
  expect(view.cidr).toBe(24);
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sentra-install-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// Builds (node-gyp) and a whole tsc compile run here: minutes on a loaded two-core machine, not seconds.
describe('install without libpcap', { timeout: 240_000 }, () => {
  it('headers absent: the install script warns, exits 0, builds nothing; capture is UNAVAILABLE, the rest works', async () => {
    const dir = path.join(tmp, 'absent');
    mkdirSync(dir);
    copyProject(dir);
    writeFileSync(
      path.join(dir, 'hide-pcap.mjs'),
      `import { execFileSync, spawnSync } from 'node:child_process';
execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', '/usr/include/pcap']);
const r = spawnSync(process.execPath, ['scripts/build-native.mjs'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
`,
    );
    const r = await exec(
      ['unshare', '--mount', '--propagation', 'private', process.execPath, 'hide-pcap.mjs'],
      dir,
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('live capture disabled');
    expect(r.stderr).toContain('pcap/pcap.h');
    expect(r.stderr).toContain('apt-get install libpcap-dev');
    expect(existsSync(path.join(dir, 'build', 'Release', 'sentra_pcap.node'))).toBe(false);
    expectUnavailable(await userView(dir));

    // SENTRA_NATIVE_REQUIRED turns the same situation into a failed install (for CI)
    const strict = await exec(
      ['unshare', '--mount', '--propagation', 'private', process.execPath, 'hide-pcap.mjs'],
      dir,
      {
        SENTRA_NATIVE_REQUIRED: '1',
      },
    );
    expect(strict.code).toBe(1);
  });

  it('C build failure under npm: `npm run install` warns and succeeds; capture is UNAVAILABLE', async () => {
    const dir = path.join(tmp, 'broken');
    mkdirSync(dir);
    copyProject(dir);
    const inc = path.join(dir, 'broken-include', 'pcap');
    mkdirSync(inc, { recursive: true });
    writeFileSync(path.join(inc, 'pcap.h'), '#error "libpcap headers unusable (Sentra install test)"\n');
    const r = await exec(['npm', 'run', 'install'], dir, { CPATH: path.dirname(inc) });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('libpcap headers unusable');
    expect(r.stderr).toContain('the addon did not build');
    expect(r.stderr).toContain('apt-get install libpcap-dev');
    expect(existsSync(path.join(dir, 'build', 'Release', 'sentra_pcap.node'))).toBe(false);
    expectUnavailable(await userView(dir));
  });

  it('and with the headers back, the same copy builds; both src/ (tsx) and dist/ (tsc output) find the addon', async () => {
    const dir = path.join(tmp, 'broken');
    const r = await exec(['npm', 'run', 'install'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('libpcap addon ready');
    const view = await userView(dir);
    expect((view.availability as { available: boolean }).available).toBe(true);
    expect(view.list).toBe('no error');
    // the CLI runs from dist/: compile the copy and load the addon from there with plain node
    const tsc = await exec(
      [
        process.execPath,
        path.join(dir, 'node_modules', 'typescript', 'bin', 'tsc'),
        '-p',
        'tsconfig.build.json',
      ],
      dir,
    );
    expect(tsc.stdout + tsc.stderr).toBe('');
    const fromDist = await exec(
      [
        process.execPath,
        '--input-type=module',
        '-e',
        "import { listInterfaces } from './dist/capture/index.js'; console.log(listInterfaces().some((i) => i.name === 'lo'));",
      ],
      dir,
    );
    expect(fromDist.stderr).toBe('');
    expect(fromDist.stdout.trim()).toBe('true');
  });
});
