/**
 * Failed logins read from the servers' replies, on real traffic: a real FTP server (Debian's
 * vsftpd, real PAM refusals) and a small real SMTP server (a Node process speaking SMTP AUTH)
 * run in a network namespace made here; curl logs in with wrong credentials from another
 * namespace; tcpdump records the link. The oracle is tshark's count of 530 / 535 replies in
 * that capture (and curl's exit code 67, "login denied"); the custom rules must count exactly
 * that many failed logins and fire at the threshold edge.
 */

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOM_SID_BASE, CustomRuleSet, compileCustomRule } from '../../src/detect/custom-rules.js';
import { startTcpdump } from '../capture/lab.js';
import { freeSubnet24, isRoot, NetnsLab, run, waitFor } from '../helpers/netns.js';
import { engineAlerts } from './run.js';

const N_FTP = 4;
/** Failed logins of one FTP session (vsftpd's max_login_fails, then it hangs up). */
const FTP_RETRIES = 3;
const N_SMTP = 5;

const lab = new NetnsLab();
const dir = mkdtempSync(path.join(os.tmpdir(), 'sentra-logins-'));
let srv = '';
let cli = '';
let SRV_IP = '';
let CLI_IP = '';
let ftpCap = '';
let smtpCap = '';
let ftpCurlDenied = 0;
let smtpCurlDenied = 0;
let ftpRetryExit = -1;
let smtpCurlOk = -1;

/** The SMTP server: greets, offers AUTH PLAIN LOGIN, refuses every credential with 535. */
const SMTP_SERVER = `
const net = require('node:net');
const srv = net.createServer((s) => {
  s.write('220 mail.lab.test ESMTP\\r\\n');
  let buf = '';
  let step = 0; // AUTH LOGIN: 1 waiting for the user, 2 for the password
  let data = false; // reading a message after DATA
  s.on('data', (d) => {
    buf += d.toString('latin1');
    let i;
    while ((i = buf.indexOf('\\n')) >= 0) {
      const line = buf.slice(0, i).replace(/\\r$/, '');
      buf = buf.slice(i + 1);
      if (data) { if (line === '.') { data = false; s.write('250 2.0.0 queued\\r\\n'); } continue; }
      const verb = line.split(' ')[0].toUpperCase();
      const answer = (cred) => (Buffer.from(cred, 'base64').toString('latin1').includes('right')
        ? '235 2.7.0 Authentication successful\\r\\n' : '535 5.7.8 Authentication credentials invalid\\r\\n');
      if (step === 1) { step = 2; s.write('334 UGFzc3dvcmQ6\\r\\n'); continue; }
      if (step === 2) { step = 0; s.write(answer(line)); continue; }
      if (verb === 'EHLO') s.write('250-mail.lab.test\\r\\n250-AUTH PLAIN LOGIN\\r\\n250 8BITMIME\\r\\n');
      else if (verb === 'HELO') s.write('250 mail.lab.test\\r\\n');
      else if (verb === 'AUTH' && /^AUTH LOGIN$/i.test(line)) { step = 1; s.write('334 VXNlcm5hbWU6\\r\\n'); }
      else if (verb === 'AUTH' && /^AUTH PLAIN$/i.test(line)) { step = 2; s.write('334 \\r\\n'); }
      else if (verb === 'AUTH') s.write(answer(line.split(' ')[2] || ''));
      else if (verb === 'DATA') { data = true; s.write('354 go ahead\\r\\n'); }
      else if (verb === 'QUIT') { s.end('221 2.0.0 Bye\\r\\n'); }
      else s.write('250 OK\\r\\n');
    }
  });
  s.on('error', () => {});
});
srv.listen(25, process.argv[2]);
setTimeout(() => process.exit(0), 120000).unref();
`;

/** An FTP client that tries ${FTP_RETRIES} passwords in one session (curl tries one per session). */
const FTP_RETRY_CLIENT = `
const net = require('node:net');
const s = net.connect(21, process.argv[2]);
let buf = '';
let sent = 0;
s.on('data', (d) => {
  buf += d.toString('latin1');
  let i;
  while ((i = buf.indexOf('\\n')) >= 0) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    const code = line.slice(0, 3);
    if ((code === '220' || code === '530') && sent < ${FTP_RETRIES}) s.write('USER sentra-nouser\\r\\n');
    else if (code === '331') s.write('PASS wrong-again-' + sent++ + '\\r\\n');
    else if (code === '530') s.end('QUIT\\r\\n');
  }
});
s.on('error', () => process.exit(0));
s.on('close', () => process.exit(0));
setTimeout(() => process.exit(1), 20000).unref();
`;

/**
 * tcpdump in the server namespace (the capture tests' helper: immediate mode, and SIGINT only
 * once the file has settled; without them the last 530 reply was lost now and then).
 */
async function capture(iface: string, file: string): Promise<() => Promise<void>> {
  const td = await startTcpdump(lab, srv, iface, 'tcp', file, ['-s', '0']);
  return async () => {
    await td.stop();
  };
}

/** Count of displayed packets of a tshark filter over a capture. */
async function tsharkCount(file: string, filter: string): Promise<number> {
  const { stdout } = await run([
    'tshark',
    '-n',
    '-r',
    file,
    '-Y',
    filter,
    '-T',
    'fields',
    '-e',
    'frame.number',
  ]);
  return stdout.split('\n').filter((l) => l.trim() !== '').length;
}

/** Exit code of a command run in namespace `ns` (curl: 67 is "login denied"). */
function exitCode(ns: string, argv: string[]): Promise<number> {
  return new Promise((resolve) => {
    execFile('ip', ['netns', 'exec', ns, ...argv], { timeout: 15_000 }, (err) => {
      resolve(err === null ? 0 : typeof err.code === 'number' ? err.code : -1);
    });
  });
}

async function tcpPortOpen(port: number): Promise<boolean> {
  const r = await lab.exec(srv, ['ss', '-ltnH', `sport = :${port}`]);
  return r.stdout.trim() !== '';
}

const ready = isRoot();

beforeAll(async () => {
  if (!ready) return;
  if (!existsSync('/usr/sbin/vsftpd'))
    throw new Error('vsftpd is missing: run scripts/setup-debian.sh (Debian package vsftpd)');
  const net = await freeSubnet24();
  SRV_IP = `${net}.2`;
  CLI_IP = `${net}.3`;
  srv = await lab.ns('srv');
  cli = await lab.ns('cli');
  await lab.veth(
    { ns: srv, ifname: 'eth0', addr4: `${SRV_IP}/24` },
    { ns: cli, ifname: 'eth0', addr4: `${CLI_IP}/24` },
  );

  // FTP: vsftpd with local logins through PAM; every login below uses a wrong password
  const conf = path.join(dir, 'vsftpd.conf');
  writeFileSync(
    conf,
    [
      'listen=YES',
      'listen_ipv6=NO',
      `listen_address=${SRV_IP}`,
      'background=NO',
      'anonymous_enable=NO',
      'local_enable=YES',
      'pam_service_name=vsftpd',
      'delay_failed_login=0',
      'seccomp_sandbox=NO',
      'isolate=NO',
      'isolate_network=NO',
      'secure_chroot_dir=/var/run/vsftpd/empty',
      'xferlog_enable=NO',
      '',
    ].join('\n'),
  );
  lab.spawn(srv, ['/usr/sbin/vsftpd', conf]);
  await waitFor(() => tcpPortOpen(21), 10_000, 'vsftpd to listen');
  ftpCap = path.join(dir, 'ftp.pcap');
  let stop = await capture('eth0', ftpCap);
  for (let i = 0; i < N_FTP; i++) {
    const code = await exitCode(cli, [
      'curl',
      '-s',
      '--max-time',
      '10',
      `ftp://sentra-nouser:wrong${i}@${SRV_IP}/`,
    ]);
    if (code === 67) ftpCurlDenied++;
  }
  const retry = path.join(dir, 'ftp-retry.cjs');
  writeFileSync(retry, FTP_RETRY_CLIENT);
  ftpRetryExit = await exitCode(cli, [process.execPath, retry, SRV_IP]);
  await stop();

  // SMTP: the Node server above; curl authenticates (PLAIN, then LOGIN) before sending mail
  const script = path.join(dir, 'smtp.cjs');
  writeFileSync(script, SMTP_SERVER);
  lab.spawn(srv, [process.execPath, script, SRV_IP]);
  await waitFor(() => tcpPortOpen(25), 10_000, 'the SMTP server to listen');
  smtpCap = path.join(dir, 'smtp.pcap');
  stop = await capture('eth0', smtpCap);
  for (let i = 0; i < N_SMTP; i++) {
    const mech = i % 2 === 0 ? 'AUTH=PLAIN' : 'AUTH=LOGIN';
    const code = await exitCode(cli, [
      'curl',
      '-s',
      '--max-time',
      '10',
      `smtp://${SRV_IP}:25`,
      '--user',
      `admin:wrong${i}`,
      '--login-options',
      mech,
      '--mail-from',
      'a@lab.test',
      '--mail-rcpt',
      'b@lab.test',
      '-T',
      '/dev/null',
    ]);
    if (code === 67) smtpCurlDenied++;
  }
  // one successful login: a short session all the same, but no failed login
  smtpCurlOk = await exitCode(cli, [
    'curl',
    '-s',
    '--max-time',
    '10',
    `smtp://${SRV_IP}:25`,
    '--user',
    'admin:right',
    '--mail-from',
    'a@lab.test',
    '--mail-rcpt',
    'b@lab.test',
    '-T',
    '/dev/null',
  ]);
  await stop();
}, 120_000);

afterAll(async () => {
  await lab.destroy();
  rmSync(dir, { recursive: true, force: true });
});

function rules(patterns: string[]): CustomRuleSet {
  const set = new CustomRuleSet();
  for (const [i, p] of patterns.entries()) {
    set.add(compileCustomRule(`rule-${i + 1}`, CUSTOM_SID_BASE + i + 1, { pattern: p, severity: 'high' }));
  }
  return set;
}

describe.skipIf(!ready)('failed logins from real FTP and SMTP servers', () => {
  const ftpFails = N_FTP + FTP_RETRIES;
  it(`FTP: vsftpd refuses ${N_FTP} curl logins and ${FTP_RETRIES} more in one session (tshark: ${ftpFails} replies 530); each is one failed login`, async () => {
    expect(ftpCurlDenied).toBe(N_FTP);
    expect(ftpRetryExit).toBe(0);
    expect(await tsharkCount(ftpCap, 'ftp.response.code == 530')).toBe(ftpFails);
    // a count-less rule fires once per event: the events themselves, counted (sessions: N_FTP + 1)
    const alerts = await engineAlerts(ftpCap, [rules(['failed FTP login'])]);
    expect(alerts).toHaveLength(ftpFails);
    for (const a of alerts) {
      expect(a.src_ip).toBe(CLI_IP);
      expect(a.dest_ip).toBe(SRV_IP);
      expect(a.dest_port).toBe(21);
      expect(a.alert.metadata?.service).toEqual(['ftp']);
    }
  });

  it(`FTP threshold edge: failed FTP login > ${ftpFails - 1} fires once, > ${ftpFails} is silent`, async () => {
    const at = await engineAlerts(ftpCap, [rules([`failed FTP login > ${ftpFails - 1}`])]);
    expect(at).toHaveLength(1);
    expect(at[0].src_ip).toBe(CLI_IP);
    const below = await engineAlerts(ftpCap, [rules([`failed login attempts > ${ftpFails}`])]);
    expect(below).toHaveLength(0);
  });

  it(`SMTP: ${N_SMTP} AUTH refusals (tshark: ${N_SMTP} replies 535, PLAIN and LOGIN) are ${N_SMTP} failed logins; a successful login is none`, async () => {
    expect(smtpCurlDenied).toBe(N_SMTP);
    expect(smtpCurlOk).toBe(0);
    expect(await tsharkCount(smtpCap, 'smtp.response.code == 535')).toBe(N_SMTP);
    expect(await tsharkCount(smtpCap, 'smtp.response.code == 235')).toBe(1);
    const alerts = await engineAlerts(smtpCap, [rules(['failed SMTP login'])]);
    expect(alerts).toHaveLength(N_SMTP);
    for (const a of alerts) {
      expect(a.src_ip).toBe(CLI_IP);
      expect(a.dest_port).toBe(25);
    }
  });

  it(`SMTP threshold edge: failed login attempts > ${N_SMTP - 1} fires, > ${N_SMTP} is silent`, async () => {
    const at = await engineAlerts(smtpCap, [rules([`failed login attempts > ${N_SMTP - 1}`])]);
    expect(at).toHaveLength(1);
    expect(at[0].src_ip).toBe(CLI_IP);
    expect(at[0].alert.metadata?.service).toEqual(['smtp']);
    const below = await engineAlerts(smtpCap, [rules([`failed login attempts > ${N_SMTP}`])]);
    expect(below).toHaveLength(0);
  });
});
