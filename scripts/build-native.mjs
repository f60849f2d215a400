#!/usr/bin/env node
/**
 * Builds Sentra's native addons (binding.gyp): the libpcap addon (native/ ->
 * build/Release/sentra_pcap.node), the scanner's engines (native/scan/ ->
 * build/Release/sentra_scan.node), the CIC CSV row writer (native/flow/ ->
 * build/Release/sentra_flow.node) and the IDS prefilter's Hyperscan matcher (native/ids/ ->
 * build/Release/sentra_ids.node, only with libhyperscan-dev). All are optional: without them the scanner uses its
 * JavaScript connect scan, flows are written by JavaScript, and live capture reports what to
 * install.
 *
 * Runs as the package's `install` script, so `npm ci` / `npm install` build it, and by hand
 * (`node scripts/build-native.mjs`) after installing libpcap-dev. Live capture is optional:
 * when libpcap's headers are missing or the build fails, this prints a warning and exits 0,
 * so the package still installs and every offline feature works; live capture then fails with
 * SENTRA_ERR_CAPTURE_UNAVAILABLE naming what to install.
 *
 * Environment:
 *   SENTRA_SKIP_NATIVE=1      do not build (the loader then reports the addon as absent)
 *   SENTRA_NATIVE_REQUIRED=1  a failed build fails the install (exit 1), e.g. in CI
 *   npm_config_node_gyp       node-gyp to use (npm sets it to its bundled copy)
 *   npm_config_nodedir        Node's headers (otherwise found beside the running node)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ADDON = path.join(ROOT, 'build', 'Release', 'sentra_pcap.node');
const SCAN_ADDON = path.join(ROOT, 'build', 'Release', 'sentra_scan.node');
const FLOW_ADDON = path.join(ROOT, 'build', 'Release', 'sentra_flow.node');
const IDS_ADDON = path.join(ROOT, 'build', 'Release', 'sentra_ids.node');
const LOG = path.join(ROOT, 'build', 'native-build.log');
const required = process.env.SENTRA_NATIVE_REQUIRED === '1';
const INSTALL_HINT =
  'Install libpcap (Debian/Ubuntu: apt-get install libpcap-dev; Fedora: dnf install libpcap-devel) ' +
  'and then run: node scripts/build-native.mjs';

function say(msg) {
  process.stderr.write(`sentra: ${msg}\n`);
}

/** Ends the script: a warning and exit 0, or exit 1 when the build is required. */
function giveUp(reason) {
  say(`live capture disabled: ${reason}`);
  say(INSTALL_HINT);
  say('every offline feature (pcap files, flows, rules, firewall, proxy, scanner) works without it.');
  process.exit(required ? 1 : 0);
}

/** The libpcap header directory, or null: checked first so the usual cause gets a clear message. */
function findPcapHeader() {
  const dirs = [
    ...(process.env.CPATH ?? '').split(':'),
    ...(process.env.C_INCLUDE_PATH ?? '').split(':'),
    '/usr/local/include',
    '/usr/include',
    '/opt/homebrew/include',
  ].filter(Boolean);
  for (const d of dirs) {
    if (existsSync(path.join(d, 'pcap', 'pcap.h'))) return d;
  }
  return null;
}

/** npm's bundled node-gyp (npm tells lifecycle scripts where it is), else one beside node. */
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(ROOT, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  for (const c of candidates) if (c && existsSync(c)) return c;
  return null;
}

/**
 * Node's headers: npm passes `nodedir` from .npmrc as npm_config_nodedir; otherwise use the
 * headers installed beside this node (Debian's nodejs ships them in /usr/include/node), so
 * node-gyp never tries to download them (the build machines have no internet access).
 */
function findNodeDir() {
  const fromNpm = process.env.npm_config_nodedir;
  if (fromNpm && existsSync(path.join(fromNpm, 'include', 'node', 'node_api.h'))) return fromNpm;
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) return prefix;
  return null;
}

function main() {
  if (process.env.SENTRA_SKIP_NATIVE === '1') giveUp('SENTRA_SKIP_NATIVE=1 is set');
  if (process.platform !== 'linux') giveUp(`live capture is supported on Linux only (this is ${process.platform})`);
  // binding.gyp builds the libpcap addon only when the headers exist, so the scanner's addon
  // is still built on a machine without libpcap-dev
  const havePcap = findPcapHeader() !== null;
  const gyp = findNodeGyp();
  if (!gyp) giveUp('node-gyp was not found (it comes with npm)');
  const nodedir = findNodeDir();
  const args = [gyp, 'rebuild', '--release'];
  if (nodedir) args.push(`--nodedir=${nodedir}`);
  say(`building the native addons (node-gyp ${nodedir ? `--nodedir=${nodedir}` : 'with its own headers'})`);
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  mkdirSync(path.dirname(LOG), { recursive: true });
  writeFileSync(LOG, output);
  if (r.status !== 0 || (havePcap && !existsSync(ADDON))) {
    const lines = output
      .split('\n')
      .filter((l) => /error|warning: implicit|undefined reference|cannot find/i.test(l))
      .slice(0, 8);
    for (const l of lines) say(`  ${l.trim()}`);
    giveUp(`the addon did not build (node-gyp exit ${r.status ?? r.signal}; full log: ${LOG})`);
  }
  if (existsSync(SCAN_ADDON)) say(`scanner addon ready: ${path.relative(ROOT, SCAN_ADDON)}`);
  if (existsSync(FLOW_ADDON)) say(`flow addon ready: ${path.relative(ROOT, FLOW_ADDON)}`);
  if (existsSync(IDS_ADDON)) say(`IDS literal matcher (Hyperscan) ready: ${path.relative(ROOT, IDS_ADDON)}`);
  if (!havePcap) giveUp("libpcap's development headers (pcap/pcap.h) are not installed");
  // Loading it once here catches a missing runtime library (libpcap.so) at install time.
  const check = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(ADDON)})`], { encoding: 'utf8' });
  if (check.status !== 0) giveUp(`the addon built but does not load: ${(check.stderr ?? '').trim().split('\n')[0]}`);
  say(`libpcap addon ready: ${path.relative(ROOT, ADDON)}`);
}

main();
