/**
 * The scanner's test network: hosts in namespaces on one bridged LAN that the root namespace
 * (the scanner) reaches, each running real servers (nginx with TLS, OpenSSH, dnsmasq, Redis,
 * small Node servers). Shared by the tests and bench/scan.ts. Everything lives in a temp
 * directory and the namespaces of one NetnsLab; `destroy()` removes both.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freeSubnet24, NetnsLab, run, waitFor } from '../helpers/netns.js';

export interface LabHost {
  name: string;
  ns: string;
  ip: string;
  /** IPv6 address (`fd53:...::N`). */
  ip6: string;
}

/**
 * RFC 5952 text of an IPv6 address, as the scanner prints it: a subnet like 10.254.0.0/24 gives
 * the prefix `fd53:fe:0::`, whose zero group the canonical form folds into `::`. Node's URL
 * parser rather than src/net's formatter: the expected text must not come from code under test.
 */
function canonicalIp6(addr: string): string {
  return new URL(`http://[${addr}]/`).hostname.slice(1, -1);
}

export class ScanLab {
  readonly lab = new NetnsLab();
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'sentra-scan-'));
  net = '';
  /** IPv6 /64 prefix of the lab (`fd53:b:c::`), derived from the IPv4 subnet so labs do not collide. */
  net6 = '';
  rootIp = '';
  hosts: LabHost[] = [];

  /** Creates `names.length` hosts at .2, .3, ... of a free /24; the root namespace is .100. */
  async start(names: string[]): Promise<void> {
    this.net = await freeSubnet24();
    const [, b, c] = this.net.split('.').map(Number);
    this.net6 = `fd53:${b.toString(16)}:${c.toString(16)}::`;
    this.rootIp = `${this.net}.100`;
    const specs = names.map((name, i) => ({
      name,
      addr4: `${this.net}.${i + 2}/24`,
      addr6: `${this.net6}${(i + 2).toString(16)}/64`,
    }));
    const { hosts } = await this.lab.lan(specs, {
      rootAddr4: `${this.rootIp}/24`,
      rootAddr6: `${this.net6}64/64`,
    });
    this.hosts = names.map((name, i) => ({
      name,
      ns: hosts[name],
      ip: `${this.net}.${i + 2}`,
      ip6: canonicalIp6(`${this.net6}${(i + 2).toString(16)}`),
    }));
  }

  host(name: string): LabHost {
    const h = this.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`no lab host ${name}`);
    return h;
  }

  file(name: string, content: string): string {
    const p = path.join(this.dir, name);
    writeFileSync(p, content);
    return p;
  }

  /** A self-signed certificate whose names the TLS test reads back. */
  async certificate(cn: string, altNames: string[]): Promise<{ cert: string; key: string }> {
    const cert = path.join(this.dir, `${cn}.crt`);
    const key = path.join(this.dir, `${cn}.key`);
    const san = altNames.map((n) => (/^\d+\.\d+\.\d+\.\d+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
    await run([
      'openssl',
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      `subjectAltName=${san}`,
    ]);
    return { cert, key };
  }

  /** nginx with a plain HTTP server on `httpPort` and, with a certificate, HTTPS on `httpsPort`. */
  async nginx(
    h: LabHost,
    opts: { httpPort?: number; httpsPort?: number; tls?: { cert: string; key: string } } = {},
  ) {
    const prefix = path.join(this.dir, `nginx-${h.name}`);
    await run(['mkdir', '-p', prefix]);
    const httpPort = opts.httpPort ?? 80;
    const tlsServer = opts.tls
      ? `server { listen ${h.ip}:${opts.httpsPort ?? 443} ssl; ssl_certificate ${opts.tls.cert}; ssl_certificate_key ${opts.tls.key}; location / { return 200 "tls\\n"; } }`
      : '';
    const conf = this.file(
      `nginx-${h.name}.conf`,
      `user root; daemon off; worker_processes 1; pid ${prefix}/nginx.pid; error_log ${prefix}/error.log;
events { worker_connections 256; }
http {
  access_log off; client_body_temp_path ${prefix}/cb; proxy_temp_path ${prefix}/px; fastcgi_temp_path ${prefix}/fc;
  uwsgi_temp_path ${prefix}/uw; scgi_temp_path ${prefix}/sc;
  server { listen ${h.ip}:${httpPort}; location / { return 200 "hello\\n"; } }
  ${tlsServer}
}
`,
    );
    this.lab.spawn(h.ns, ['nginx', '-c', conf, '-p', prefix]);
    await this.waitPort(h.ip, httpPort);
    if (opts.tls) await this.waitPort(h.ip, opts.httpsPort ?? 443);
  }

  async sshd(h: LabHost, port = 22) {
    const key = path.join(this.dir, `ssh-${h.name}`);
    await run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', key]);
    await run(['mkdir', '-p', '/run/sshd']);
    this.lab.spawn(h.ns, [
      '/usr/sbin/sshd',
      '-D',
      '-e',
      '-f',
      '/dev/null',
      '-h',
      key,
      '-p',
      String(port),
      '-o',
      'PidFile=none',
    ]);
    await this.waitPort(h.ip, port);
  }

  /** dnsmasq answering only from its own records (no upstream, so nothing leaves the lab). */
  async dnsmasq(h: LabHost, records: { name: string; ip: string }[]) {
    this.lab.spawn(h.ns, [
      'dnsmasq',
      '-k',
      '--no-resolv',
      '--no-hosts',
      '--no-poll',
      '--conf-file=/dev/null',
      `--listen-address=${h.ip}`,
      '--bind-interfaces',
      '-u',
      'root',
      `--pid-file=${path.join(this.dir, `dnsmasq-${h.name}.pid`)}`,
      ...records.map((r) => `--host-record=${r.name},${r.ip}`),
    ]);
    await this.waitPort(h.ip, 53);
  }

  async redis(h: LabHost, port = 6379) {
    const dir = path.join(this.dir, `redis-${h.name}`);
    await run(['mkdir', '-p', dir]);
    this.lab.spawn(h.ns, [
      'redis-server',
      '--port',
      String(port),
      '--bind',
      h.ip,
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'no',
      '--dir',
      dir,
      '--daemonize',
      'no',
    ]);
    await this.waitPort(h.ip, port);
  }

  /** A Node TCP server on each port: sends `banner` on connect (or stays silent when empty). */
  async nodeServer(h: LabHost, ports: number[], banner = '') {
    // listens on the IPv4 and the IPv6 address of the host
    const code = `const net=require('net');for(const p of ${JSON.stringify(ports)})for(const a of ${JSON.stringify([h.ip, h.ip6])}){net.createServer(s=>{s.on('error',()=>{});${
      banner ? `s.write(${JSON.stringify(banner)});` : ''
    }}).listen(p,a);}`;
    this.lab.spawn(h.ns, [process.execPath, '-e', code]);
    for (const p of ports) await this.waitPort(h.ip, p);
  }

  /**
   * A Node TCP server on `port` that answers each request chunk with `reply(chunk)` (a small
   * protocol responder, given as the source of a function from Buffer to string|Buffer|null).
   */
  async nodeResponder(h: LabHost, port: number, reply: string) {
    const code = `const net=require('net');const reply=${reply};net.createServer(s=>{s.on('error',()=>{});s.on('data',d=>{const r=reply(d);if(r!==null)s.write(r);});}).listen(${port},${JSON.stringify(h.ip)});`;
    this.lab.spawn(h.ns, [process.execPath, '-e', code]);
    await this.waitPort(h.ip, port);
  }

  /** An nftables table inside the host's namespace that drops TCP to `ports` silently. */
  async dropTcp(h: LabHost, ports: number[]) {
    await this.lab.exec(h.ns, ['nft', '-f', '-'], {
      input: `table inet sentra_scan_test {
  chain input { type filter hook input priority 0; policy accept; tcp dport { ${ports.join(', ')} } drop; }
}
`,
    });
  }

  /** Drops every IP packet into the host (ARP still answers, as on a firewalled machine). */
  async dropAllIp(h: LabHost) {
    await this.lab.exec(h.ns, ['nft', '-f', '-'], {
      input:
        'table inet sentra_scan_dark {\n  chain input { type filter hook input priority 0; policy drop; }\n}\n',
    });
  }

  /** MAC address of the host's eth0. */
  async mac(h: LabHost): Promise<string> {
    const { stdout } = await this.lab.exec(h.ns, ['ip', '-j', 'link', 'show', 'eth0']);
    return (JSON.parse(stdout) as { address: string }[])[0].address;
  }

  async waitPort(ip: string, port: number): Promise<void> {
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          const s = net.connect({ host: ip, port });
          s.once('connect', () => {
            s.destroy();
            resolve(true);
          });
          s.once('error', () => resolve(false));
        }),
      15_000,
      `${ip}:${port} to listen`,
    );
  }

  /** Runs `nmap -sT` from the root namespace and returns the open TCP ports of each address. */
  async nmapOpenPorts(
    targets: string[],
    ports: string,
    extra: string[] = [],
  ): Promise<Map<string, number[]>> {
    const { stdout } = await run(
      ['nmap', '-sT', '-n', '-Pn', '-T4', '-p', ports, '-oG', '-', ...extra, ...targets],
      {
        timeoutMs: 300_000,
      },
    );
    const out = new Map<string, number[]>();
    for (const t of targets) out.set(t, []);
    for (const line of stdout.split('\n')) {
      const m = /^Host: (\S+) .*Ports: (.*)$/.exec(line);
      if (!m) continue;
      const open = m[2]
        .split(',')
        .map((e) => e.trim().split('/'))
        .filter((f) => f[1] === 'open')
        .map((f) => Number(f[0]));
      out.set(
        m[1],
        open.sort((a, b) => a - b),
      );
    }
    return out;
  }

  async destroy(): Promise<void> {
    await this.lab.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
