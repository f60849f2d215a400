/**
 * Sentra's own service signature database: what real servers send, written from the
 * protocols' specifications and from the banners and headers of the servers themselves (their
 * source, documentation and default configurations). Each entry says which probe's answer it
 * reads, a pattern over that answer (decoded as latin1, so binary greetings match byte for
 * byte), and how to fill product, version and CPE from the captured groups (`$1`...).
 *
 * Order matters: the first hard match wins; a `soft` match names the protocol only and lets
 * detection go on looking for a product. nmap's nmap-service-probes is deliberately not used.
 */
import type { ProbeName } from './probes.js';

export interface CpeTemplate {
  vendor: string;
  product: string;
  part?: 'a' | 'o' | 'h';
  /** Splits a version like `9.2p1` into CPE version `9.2` and update `p1`. */
  splitUpdate?: RegExp;
}

export interface ServiceSignature {
  /** Stable identifier (for tests and `probe` explanations). */
  id: string;
  service: string;
  /** The probes whose answers this signature reads. */
  probes: readonly ProbeName[];
  match: RegExp;
  product?: string;
  /** Template with `$1`-`$9`. */
  version?: string;
  extra?: string;
  cpe?: CpeTemplate;
  /** Names the protocol only; detection continues for a product. */
  soft?: boolean;
}

const BANNER: readonly ProbeName[] = ['null', 'tls-null'];
const HTTP: readonly ProbeName[] = ['http', 'tls-http'];
const OPENSSH_UPDATE = /^(\d+(?:\.\d+)*)(p\d+)?$/;

export const SIGNATURES: readonly ServiceSignature[] = [
  // --- SSH (RFC 4253 section 4.2: "SSH-protoversion-softwareversion SP comments CR LF") -------
  {
    id: 'ssh-openssh',
    service: 'ssh',
    probes: ['null'],
    match: /^SSH-([\d.]+)-OpenSSH_([\w.]+)(?:[ -]([^\r\n]*))?\r?\n/,
    product: 'OpenSSH',
    version: '$2',
    extra: '$3',
    cpe: { vendor: 'openbsd', product: 'openssh', splitUpdate: OPENSSH_UPDATE },
  },
  {
    id: 'ssh-dropbear',
    service: 'ssh',
    probes: ['null'],
    match: /^SSH-([\d.]+)-dropbear_([\w.]+)/,
    product: 'Dropbear sshd',
    version: '$2',
    cpe: { vendor: 'dropbear_ssh_project', product: 'dropbear_ssh' },
  },
  {
    id: 'ssh-libssh',
    service: 'ssh',
    probes: ['null'],
    match: /^SSH-([\d.]+)-libssh[_-]([\w.]+)/,
    product: 'libssh',
    version: '$2',
    cpe: { vendor: 'libssh', product: 'libssh' },
  },
  { id: 'ssh-generic', service: 'ssh', probes: ['null'], match: /^SSH-\d+\.\d+-/, soft: true },

  // --- FTP (RFC 959 greeting 220) ----------------------------------------------------------
  {
    id: 'ftp-vsftpd',
    service: 'ftp',
    probes: BANNER,
    match: /^220 \(vsFTPd ([\w.]+)\)/,
    product: 'vsftpd',
    version: '$1',
    cpe: { vendor: 'vsftpd_project', product: 'vsftpd' },
  },
  {
    id: 'ftp-proftpd',
    service: 'ftp',
    probes: BANNER,
    match: /^220[ -]ProFTPD (?:([\d.]+\w*) )?Server/,
    product: 'ProFTPD',
    version: '$1',
    cpe: { vendor: 'proftpd', product: 'proftpd' },
  },
  {
    id: 'ftp-pureftpd',
    service: 'ftp',
    probes: BANNER,
    match: /^220-+ ?Welcome to Pure-FTPd/,
    product: 'Pure-FTPd',
    cpe: { vendor: 'pureftpd', product: 'pure-ftpd' },
  },
  {
    id: 'ftp-filezilla',
    service: 'ftp',
    probes: BANNER,
    match: /^220[ -]FileZilla Server(?: version)? ([\d.]+)/,
    product: 'FileZilla Server',
    version: '$1',
    cpe: { vendor: 'filezilla-project', product: 'filezilla_server' },
  },
  {
    id: 'ftp-microsoft',
    service: 'ftp',
    probes: BANNER,
    match: /^220[ -]Microsoft FTP Service/,
    product: 'Microsoft ftpd',
    cpe: { vendor: 'microsoft', product: 'internet_information_services' },
  },

  // --- SMTP (RFC 5321 greeting "220 domain ESMTP ...") ---------------------------------------
  {
    id: 'smtp-exim',
    service: 'smtp',
    probes: BANNER,
    match: /^220[ -]\S+ ESMTP Exim ([\d.]+)/,
    product: 'Exim smtpd',
    version: '$1',
    cpe: { vendor: 'exim', product: 'exim' },
  },
  {
    id: 'smtp-postfix',
    service: 'smtp',
    probes: BANNER,
    match: /^220[ -]\S+ ESMTP Postfix(?: \(([^)]*)\))?/,
    product: 'Postfix smtpd',
    extra: '$1',
    cpe: { vendor: 'postfix', product: 'postfix' },
  },
  {
    id: 'smtp-sendmail',
    service: 'smtp',
    probes: BANNER,
    match: /^220[ -]\S+ ESMTP Sendmail ([\d.]+)(?:\/[\d.]+)?/,
    product: 'Sendmail',
    version: '$1',
    cpe: { vendor: 'sendmail', product: 'sendmail' },
  },
  {
    id: 'smtp-opensmtpd',
    service: 'smtp',
    probes: BANNER,
    match: /^220[ -]\S+ ESMTP OpenSMTPD/,
    product: 'OpenSMTPD',
    cpe: { vendor: 'openbsd', product: 'opensmtpd' },
  },
  {
    id: 'smtp-exchange',
    service: 'smtp',
    probes: BANNER,
    match: /^220[ -]\S+ Microsoft ESMTP MAIL Service/,
    product: 'Microsoft Exchange smtpd',
    cpe: { vendor: 'microsoft', product: 'exchange_server' },
  },
  {
    id: 'smtp-generic',
    service: 'smtp',
    probes: BANNER,
    match: /^220[ -][^\r\n]*\b(?:E?SMTP|mail)/i,
    soft: true,
  },
  { id: 'ftp-generic', service: 'ftp', probes: BANNER, match: /^220[ -][^\r\n]*\bFTP\b/i, soft: true },

  // --- POP3 (RFC 1939 "+OK") and IMAP (RFC 9051 "* OK") --------------------------------------
  {
    id: 'pop3-dovecot',
    service: 'pop3',
    probes: BANNER,
    match: /^\+OK (?:\[[^\]]*\] )?Dovecot(?: \(([^)]*)\))? ready/,
    product: 'Dovecot pop3d',
    extra: '$1',
    cpe: { vendor: 'dovecot', product: 'dovecot' },
  },
  {
    id: 'imap-dovecot',
    service: 'imap',
    probes: BANNER,
    match: /^\* OK (?:\[[^\]]*\] )?Dovecot(?: \(([^)]*)\))? ready/,
    product: 'Dovecot imapd',
    extra: '$1',
    cpe: { vendor: 'dovecot', product: 'dovecot' },
  },
  {
    id: 'imap-cyrus',
    service: 'imap',
    probes: BANNER,
    match: /^\* OK (?:\[[^\]]*\] )?\S+ Cyrus IMAP v?([\d.]+)/,
    product: 'Cyrus imapd',
    version: '$1',
    cpe: { vendor: 'cyrusimap', product: 'cyrus_imap' },
  },
  {
    id: 'imap-courier',
    service: 'imap',
    probes: BANNER,
    match: /^\* OK (?:\[[^\]]*\] )?Courier-IMAP/,
    product: 'Courier imapd',
    cpe: { vendor: 'courier-mta', product: 'courier-imap' },
  },
  { id: 'pop3-generic', service: 'pop3', probes: BANNER, match: /^\+OK[ \r\n]/, soft: true },
  {
    id: 'imap-generic',
    service: 'imap',
    probes: BANNER,
    match: /^\* (?:OK|PREAUTH)[ [][^\r\n]*(?:IMAP|ready)/i,
    soft: true,
  },

  // --- MySQL / MariaDB greeting (Protocol::HandshakeV10: length(3) seq(1) 0x0a version NUL) --
  {
    id: 'mysql-mariadb',
    service: 'mysql',
    probes: ['null'],
    match: /^[\s\S]{4}\x0a(?:5\.5\.5-)?(\d+\.\d+\.\d+)-MariaDB([^\x00]*)\x00/,
    product: 'MariaDB',
    version: '$1',
    extra: '$2',
    cpe: { vendor: 'mariadb', product: 'mariadb' },
  },
  {
    id: 'mysql',
    service: 'mysql',
    probes: ['null'],
    match: /^[\s\S]{4}\x0a(\d+\.\d+\.\d+)([^\x00]*)\x00/,
    product: 'MySQL',
    version: '$1',
    extra: '$2',
    cpe: { vendor: 'oracle', product: 'mysql' },
  },
  {
    id: 'mysql-refused',
    service: 'mysql',
    probes: ['null'],
    match:
      /^[\s\S]{4}\xff[\s\S]{2}(?:#\w{5})?Host '[^']*' is not allowed to connect to this (MySQL|MariaDB) server/,
    product: '$1',
  },

  // --- Redis (RESP) ----------------------------------------------------------------------------
  {
    id: 'redis-info',
    service: 'redis',
    probes: ['redis'],
    match: /# Server\r\n(?:[\s\S]*?\r\n)?redis_version:([\w.]+)\r\n(?:[\s\S]*?\r\nredis_mode:(\w+))?/,
    product: 'Redis key-value store',
    version: '$1',
    extra: '$2',
    cpe: { vendor: 'redis', product: 'redis' },
  },
  {
    id: 'redis-valkey',
    service: 'redis',
    probes: ['redis'],
    match: /# Server\r\n[\s\S]*?valkey_version:([\w.]+)/,
    product: 'Valkey',
    version: '$1',
    cpe: { vendor: 'lfprojects', product: 'valkey' },
  },
  {
    id: 'redis-auth',
    service: 'redis',
    probes: ['redis', 'http'],
    match: /^-(?:NOAUTH Authentication required|DENIED Redis is running in protected mode)/,
    product: 'Redis key-value store',
    extra: 'authentication required',
    cpe: { vendor: 'redis', product: 'redis' },
  },
  {
    id: 'redis-inline-error',
    service: 'redis',
    probes: ['http'],
    match: /^-ERR (?:wrong number of arguments for 'get' command|unknown command)/,
    soft: true,
  },

  // --- memcached (protocol.txt: "version" -> "VERSION x.y.z") -------------------------------
  {
    id: 'memcached',
    service: 'memcached',
    probes: ['memcached'],
    match: /^VERSION (\d[\w.]*)\r\n/,
    product: 'Memcached',
    version: '$1',
    cpe: { vendor: 'memcached', product: 'memcached' },
  },

  // --- PostgreSQL (SSLRequest answered with a single 'S' or 'N') ----------------------------
  {
    id: 'postgresql',
    service: 'postgresql',
    probes: ['postgres'],
    match: /^[SN]$/,
    product: 'PostgreSQL DB',
    cpe: { vendor: 'postgresql', product: 'postgresql' },
  },

  // --- DNS over TCP: version.bind CH TXT answer ------------------------------------------------
  {
    id: 'dns-dnsmasq',
    service: 'domain',
    probes: ['dns-version'],
    match: /dnsmasq-([\w.]+)/,
    product: 'dnsmasq',
    version: '$1',
    cpe: { vendor: 'thekelleys', product: 'dnsmasq' },
  },
  {
    id: 'dns-bind',
    service: 'domain',
    probes: ['dns-version'],
    match: /[\x01-\x3f](9\.\d+\.\d+)(?:-([\w.+-]+))?/,
    product: 'ISC BIND',
    version: '$1',
    extra: '$2',
    cpe: { vendor: 'isc', product: 'bind' },
  },
  {
    id: 'dns-unbound',
    service: 'domain',
    probes: ['dns-version'],
    match: /unbound ([\d.]+)/i,
    product: 'Unbound',
    version: '$1',
    cpe: { vendor: 'nlnetlabs', product: 'unbound' },
  },
  {
    id: 'dns-powerdns',
    service: 'domain',
    probes: ['dns-version'],
    match: /PowerDNS (Recursor|Authoritative Server) ([\d.]+)/,
    product: 'PowerDNS $1',
    version: '$2',
    cpe: { vendor: 'powerdns', product: 'recursor' },
  },
  // any well-formed DNS response to our query id: a DNS server without a version answer
  { id: 'dns-generic', service: 'domain', probes: ['dns-version'], match: /^SE[\x80-\xff]/, soft: true },

  // --- HTTP (RFC 9110 Server header) ----------------------------------------------------------
  {
    id: 'http-nginx',
    service: 'http',
    probes: HTTP,
    match: /^HTTP\/[\d.]+ \d{3}[\s\S]*?\r\nServer: nginx(?:\/([\d.]+))?/i,
    product: 'nginx',
    version: '$1',
    cpe: { vendor: 'f5', product: 'nginx' },
  },
  {
    id: 'http-openresty',
    service: 'http',
    probes: HTTP,
    match: /^HTTP\/[\d.]+ \d{3}[\s\S]*?\r\nServer: openresty(?:\/([\d.]+))?/i,
    product: 'OpenResty web app server',
    version: '$1',
    cpe: { vendor: 'openresty', product: 'openresty' },
  },
  {
    id: 'http-apache',
    service: 'http',
    probes: HTTP,
    match: /^HTTP\/[\d.]+ \d{3}[\s\S]*?\r\nServer: Apache(?:\/([\d.]+))?(?: \(([^)\r\n]*)\))?/i,
    product: 'Apache httpd',
    version: '$1',
    extra: '$2',
    cpe: { vendor: 'apache', product: 'http_server' },
  },
  {
    id: 'http-lighttpd',
    service: 'http',
    probes: HTTP,
    match: /^HTTP\/[\d.]+ \d{3}[\s\S]*?\r\nServer: lighttpd(?:\/([\d.]+))?/i,
    product: 'lighttpd',
    version: '$1',
    cpe: { vendor: 'lighttpd', product: 'lighttpd' },
  },
  {
    id: 'http-iis',
    service: 'http',
    probes: HTTP,
    match: /^HTTP\/[\d.]+ \d{3}[\s\S]*?\r\nServer: Microsoft-IIS\/([\d.]+)/i,
    product: 'Microsoft IIS httpd',
    version: '$1',
    cpe: { vendor: 'microsoft', product: 'internet_information_services' },
  },
  {
    id: 'http-tinyproxy',
    service: 'http-proxy',
    probes: HTTP,
    match: /^HTTP\/[\d.]+ \d{3}[\s\S]*?\r\nServer: tinyproxy\/([\d.]+)/i,
    product: 'tinyproxy',
    version: '$1',
    cpe: { vendor: 'tinyproxy_project', product: 'tinyproxy' },
  },
  {
    id: 'http-squid',
    service: 'http-proxy',
    probes: HTTP,
    match: /^HTTP\/[\d.]+ \d{3}[\s\S]*?\r\nServer: squid(?:\/([\d.]+))?/i,
    product: 'Squid http proxy',
    version: '$1',
    cpe: { vendor: 'squid-cache', product: 'squid' },
  },
  {
    id: 'http-jetty',
    service: 'http',
    probes: HTTP,
    match: /^HTTP\/[\d.]+ \d{3}[\s\S]*?\r\nServer: Jetty\(([\w.-]+)\)/i,
    product: 'Jetty',
    version: '$1',
    cpe: { vendor: 'eclipse', product: 'jetty' },
  },
  {
    id: 'http-python',
    service: 'http',
    probes: HTTP,
    match: /^HTTP\/[\d.]+ \d{3}[\s\S]*?\r\nServer: (?:SimpleHTTP|BaseHTTP)\/[\d.]+ Python\/([\d.]+)/i,
    product: 'Python http.server',
    version: '$1',
    cpe: { vendor: 'python', product: 'python' },
  },
  {
    id: 'http-werkzeug',
    service: 'http',
    probes: HTTP,
    match: /^HTTP\/[\d.]+ \d{3}[\s\S]*?\r\nServer: Werkzeug\/([\d.]+)/i,
    product: 'Werkzeug httpd',
    version: '$1',
    cpe: { vendor: 'palletsprojects', product: 'werkzeug' },
  },
  {
    id: 'http-gunicorn',
    service: 'http',
    probes: HTTP,
    match: /^HTTP\/[\d.]+ \d{3}[\s\S]*?\r\nServer: gunicorn(?:\/([\d.]+))?/i,
    product: 'Gunicorn',
    version: '$1',
    cpe: { vendor: 'gunicorn', product: 'gunicorn' },
  },
  {
    id: 'http-caddy',
    service: 'http',
    probes: HTTP,
    match: /^HTTP\/[\d.]+ \d{3}[\s\S]*?\r\nServer: Caddy\r\n/i,
    product: 'Caddy httpd',
    cpe: { vendor: 'caddyserver', product: 'caddy' },
  },
  {
    id: 'http-express',
    service: 'http',
    probes: HTTP,
    match: /^HTTP\/[\d.]+ \d{3}[\s\S]*?\r\nX-Powered-By: Express\r\n/i,
    product: 'Node.js Express framework',
    cpe: { vendor: 'expressjs', product: 'express' },
  },
  {
    id: 'http-server-header',
    service: 'http',
    probes: HTTP,
    match: /^HTTP\/[\d.]+ \d{3}[\s\S]*?\r\nServer: ([^\r\n/]+)(?:\/([^\s\r\n]+))?/i,
    product: '$1',
    version: '$2',
  },
  { id: 'http-generic', service: 'http', probes: HTTP, match: /^HTTP\/\d(?:\.\d)? \d{3}/, soft: true },

  // --- other banners -------------------------------------------------------------------------
  {
    id: 'vnc-rfb',
    service: 'vnc',
    probes: ['null'],
    match: /^RFB (\d{3}\.\d{3})\n/,
    product: 'VNC',
    extra: 'protocol $1',
  },
  { id: 'telnet-iac', service: 'telnet', probes: ['null'], match: /^\xff[\xfb-\xfe]/, soft: true },
];
