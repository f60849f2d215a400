/**
 * Service and version detection against real servers in namespaces; versions checked against
 * what the installed packages report (dpkg-query, `sshd -V`, `nginx -v`, `redis-server
 * --version`, `dnsmasq --version`), TLS names against the certificate the test made.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanServiceVersion } from '../../src/scan/services/detect.js';
import { matchAnswer } from '../../src/scan/services/match.js';
import { run } from '../helpers/netns.js';
import { ScanLab } from './lab.js';

/** Upstream version of a Debian package: no epoch, no Debian revision. */
async function dpkgUpstream(pkg: string): Promise<string> {
  // dpkg-query's own format syntax, not a template string
  const { stdout } = await run(['dpkg-query', '-W', '-f', '$' + '{Version}', pkg]);
  return stdout.replace(/^\d+:/, '').replace(/-[^-]*$/, '');
}

async function toolOutput(argv: string[]): Promise<string> {
  try {
    const r = await run(argv);
    return r.stdout + r.stderr;
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string };
    return `${x.stdout ?? ''}${x.stderr ?? ''}`;
  }
}

describe('service detection on real servers', () => {
  const lab = new ScanLab();
  let webIp = '';
  beforeAll(async () => {
    await lab.start(['web', 'ssh', 'dns', 'db', 'misc']);
    const web = lab.host('web');
    webIp = web.ip;
    const tls = await lab.certificate('scan-lab.test', ['scan-lab.test', 'www.scan-lab.test', web.ip]);
    await lab.nginx(web, { httpPort: 80, httpsPort: 443, tls });
    await lab.sshd(lab.host('ssh'), 22);
    await lab.dnsmasq(lab.host('dns'), [{ name: 'dns.scan.test', ip: lab.host('dns').ip }]);
    await lab.redis(lab.host('db'), 6379);
    const misc = lab.host('misc');
    await lab.nodeServer(misc, [2121], '220 (vsFTPd 3.0.3)\r\n');
    await lab.nodeServer(misc, [2525], '220 mail.scan.test ESMTP Postfix (Debian/GNU)\r\n');
    await lab.nodeServer(misc, [1110], '+OK Dovecot (Debian) ready.\r\n');
    await lab.nodeServer(
      misc,
      [1143],
      '* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot (Debian) ready.\r\n',
    );
    await lab.nodeServer(misc, [7777]);
    // PostgreSQL answers an SSLRequest (length 8, code 80877103) with 'N' when it has no TLS
    await lab.nodeResponder(misc, 5432, `(d)=>d.length===8&&d.readUInt32BE(4)===80877103?'N':null`);
    await lab.nodeResponder(
      misc,
      11211,
      `(d)=>String(d)==='version\\r\\n'?'VERSION 1.6.21\\r\\n':'ERROR\\r\\n'`,
    );
    // a MySQL 8 HandshakeV10 greeting: length 3 bytes + sequence, protocol 10, version, NUL
    const v = '8.0.36';
    const greeting =
      String.fromCharCode(v.length + 6, 0, 0, 0, 10) + v + '\u0000' + '\u0001\u0000\u0000\u0000';
    await lab.nodeServer(misc, [3306], greeting);
  });
  afterAll(async () => {
    await lab.destroy();
  });

  it('OpenSSH: product and version equal the installed openssh-server package and sshd -V', async () => {
    const s = await scanServiceVersion(lab.host('ssh').ip, 22);
    expect(s.service).toBe('ssh');
    expect(s.product).toBe('OpenSSH');
    expect(s.version).toBe(await dpkgUpstream('openssh-server'));
    const sshdV = /OpenSSH_([\w.]+)/.exec(await toolOutput(['/usr/sbin/sshd', '-V']))![1];
    expect(s.version.startsWith(sshdV)).toBe(true);
    expect(s.cpe).toMatch(/^cpe:2\.3:a:openbsd:openssh:\d+\.\d+:p\d+:/);
    expect(s.confidence).toBe('version');
    expect(String(s)).toContain(`OpenSSH ${s.version}`);
  });

  it('nginx over HTTP: version equals nginx -v and the nginx-light package', async () => {
    const s = await scanServiceVersion(webIp, 80);
    const nginxV = /nginx\/([\d.]+)/.exec(await toolOutput(['nginx', '-v']))![1];
    expect(s.service).toBe('http');
    expect(s.product).toBe('nginx');
    expect(s.version).toBe(nginxV);
    expect(s.version).toBe(await dpkgUpstream('nginx-light'));
    expect(s.cpe).toBe(`cpe:2.3:a:f5:nginx:${nginxV}:*:*:*:*:*:*:*`);
  });

  it('nginx over TLS: the certificate names are read and HTTP inside TLS names nginx', async () => {
    const s = await scanServiceVersion(webIp, 443);
    expect(s.tunnel).toBe('tls');
    expect(s.service).toBe('https');
    expect(s.product).toBe('nginx');
    expect(s.tls?.subject_cn).toBe('scan-lab.test');
    expect(s.tls?.alt_names).toEqual(['scan-lab.test', 'www.scan-lab.test', webIp]);
    expect(s.tls?.self_signed).toBe(true);
    // the fingerprint equals what openssl computes from the certificate file
    const { stdout } = await run([
      'openssl',
      'x509',
      '-in',
      `${lab.dir}/scan-lab.test.crt`,
      '-noout',
      '-fingerprint',
      '-sha256',
    ]);
    expect(stdout.trim().split('=')[1]).toBe(s.tls?.fingerprint256);
  });

  it('dnsmasq over TCP and UDP: version.bind equals dnsmasq --version', async () => {
    const v = /Dnsmasq version ([\w.]+)/.exec(await toolOutput(['dnsmasq', '--version']))![1];
    const tcp = await scanServiceVersion(lab.host('dns').ip, 53);
    expect(tcp.product).toBe('dnsmasq');
    expect(tcp.version).toBe(v);
    const udp = await scanServiceVersion(lab.host('dns').ip, 53, { protocol: 'udp' });
    expect(udp.protocol).toBe('udp');
    expect(udp.version).toBe(v);
  });

  it('Redis: version equals redis-server --version', async () => {
    const v = /v=([\w.]+)/.exec(await toolOutput(['redis-server', '--version']))![1];
    const s = await scanServiceVersion(lab.host('db').ip, 6379);
    expect(s.service).toBe('redis');
    expect(s.version).toBe(v);
    expect(s.cpe).toBe(`cpe:2.3:a:redis:redis:${v}:*:*:*:*:*:*:*`);
  });

  it('banners of FTP, SMTP, POP3 and IMAP servers on unusual ports', async () => {
    const ip = lab.host('misc').ip;
    const ftp = await scanServiceVersion(ip, 2121);
    expect([ftp.service, ftp.product, ftp.version]).toEqual(['ftp', 'vsftpd', '3.0.3']);
    const smtp = await scanServiceVersion(ip, 2525);
    expect([smtp.service, smtp.product, smtp.extra]).toEqual(['smtp', 'Postfix smtpd', 'Debian/GNU']);
    const pop = await scanServiceVersion(ip, 1110);
    expect([pop.service, pop.product]).toEqual(['pop3', 'Dovecot pop3d']);
    const imap = await scanServiceVersion(ip, 1143);
    expect([imap.service, imap.product]).toEqual(['imap', 'Dovecot imapd']);
  });

  it('PostgreSQL, memcached and MySQL speak their protocols to the probes', async () => {
    const ip = lab.host('misc').ip;
    const pg = await scanServiceVersion(ip, 5432);
    expect([pg.service, pg.product, pg.probe]).toEqual(['postgresql', 'PostgreSQL DB', 'postgres']);
    const mc = await scanServiceVersion(ip, 11211);
    expect([mc.service, mc.product, mc.version]).toEqual(['memcached', 'Memcached', '1.6.21']);
    const my = await scanServiceVersion(ip, 3306);
    expect([my.service, my.product, my.version]).toEqual(['mysql', 'MySQL', '8.0.36']);
  });

  it('a silent service is reported by its port name with port confidence; a closed port too', async () => {
    const s = await scanServiceVersion(lab.host('misc').ip, 7777, { bannerWaitMs: 300, probeWaitMs: 500 });
    expect(s.product).toBe('');
    expect(s.confidence).toBe('port');
    const closed = await scanServiceVersion(lab.host('misc').ip, 7778);
    expect(closed.summary).toContain('no connection');
  });
});

describe('signatures on byte literals', () => {
  it('MySQL and MariaDB greetings (HandshakeV10)', () => {
    const greeting = (v: string) =>
      Buffer.concat([
        Buffer.from([v.length + 20, 0, 0, 0, 0x0a]),
        Buffer.from(v),
        Buffer.from([0, 1, 0, 0, 0]),
      ]);
    const my = matchAnswer('null', greeting('8.0.36-0ubuntu0.22.04.1'));
    expect([my?.product, my?.version, my?.cpe]).toEqual([
      'MySQL',
      '8.0.36',
      'cpe:2.3:a:oracle:mysql:8.0.36:*:*:*:*:*:*:*',
    ]);
    const maria = matchAnswer('null', greeting('5.5.5-10.11.6-MariaDB-0+deb12u1'));
    expect([maria?.product, maria?.version]).toEqual(['MariaDB', '10.11.6']);
  });

  it('Dropbear SSH and Apache httpd', () => {
    expect(matchAnswer('null', Buffer.from('SSH-2.0-dropbear_2022.83\r\n'))?.version).toBe('2022.83');
    const apache = matchAnswer(
      'http',
      Buffer.from('HTTP/1.1 200 OK\r\nDate: x\r\nServer: Apache/2.4.57 (Debian)\r\n\r\n'),
    );
    expect([apache?.product, apache?.version, apache?.extra]).toEqual(['Apache httpd', '2.4.57', 'Debian']);
    expect(apache?.cpe).toBe('cpe:2.3:a:apache:http_server:2.4.57:*:*:*:*:*:*:*');
  });

  it('an unknown SSH implementation is a soft match (service only)', () => {
    const m = matchAnswer('null', Buffer.from('SSH-2.0-Foo_1.0\r\n'));
    expect(m?.service).toBe('ssh');
    expect(m?.soft).toBe(true);
  });
});
