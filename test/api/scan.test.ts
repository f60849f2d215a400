/**
 * The scanning functions through the facade against a lab host this test creates (a banner
 * server announcing OpenSSH 8.4p1 on 2222, an HTTP server on 8080), addressed the way the
 * spec's scripts do (192.168.1.x, renamed by the context's target map). Oracles: nmap for open
 * ports, the NVD sample's version ranges for vulnerabilities. Discovery scans a /29 of the lab
 * only, which holds the lab host and not the root namespace's address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiContext, callApi, TargetMap } from '../../src/api/index.js';
import { ErrorCodes } from '../../src/errors.js';
import { isRoot, run } from '../helpers/netns.js';
import { ScanLab } from '../scan/lab.js';
import { errorCode } from './helpers.js';

const canRun = isRoot();
const lab = new ScanLab();
let ctx: ApiContext;
let srv = '';

// biome-ignore lint/suspicious/noExplicitAny: results are read field by field, as a script does
const call = (name: string, ...args: unknown[]): Promise<any> => callApi(ctx, name, args);

beforeAll(async () => {
  if (!canRun) return;
  await lab.start(['srv']);
  const h = lab.host('srv');
  srv = h.ip;
  await lab.nodeServer(h, [2222], 'SSH-2.0-OpenSSH_8.4p1\r\n');
  await lab.nodeResponder(
    h,
    8080,
    `(d)=>'HTTP/1.1 200 OK\\r\\nServer: lab\\r\\nContent-Length: 0\\r\\n\\r\\n'`,
  );
  ctx = new ApiContext({ targetMap: TargetMap.parse([`192.168.1.0/24=${lab.net}.0/24`, `srv=${srv}`]) });
}, 60_000);

afterAll(async () => {
  if (!canRun) return;
  await ctx.dispose();
  await lab.destroy();
});

const code = errorCode;

describe.skipIf(!canRun)('scan_* through the facade', () => {
  it('scan_ports finds what nmap finds, with service names; the result has a scan id', async () => {
    const r = await call('scan_ports', '192.168.1.2', '1-9000');
    const nmap = (await lab.nmapOpenPorts([srv], '1-9000')).get(srv);
    expect(nmap).toEqual([2222, 8080]);
    expect(r).toMatchObject({ target: srv, address: srv, open_ports: nmap, scanned: 9000 });
    expect(r.id).toMatch(/^scan-[0-9a-f]{12}$/);
    // service names are the registered ones (oracle: the system's services database)
    const { stdout } = await run(['getent', 'services', '8080/tcp']);
    expect(r.services['8080']).toBe(stdout.split(/\s+/)[0]);
    expect(r.closed).toBe(9000 - 2);
  }, 120_000);

  it('scan_service_version and scan_os_fingerprint answer with one line, as the spec prints them', async () => {
    expect(await call('scan_service_version', 'srv', 2222)).toBe('2222/tcp ssh OpenSSH 8.4p1');
    expect(await call('scan_service_version', srv, '8080')).toMatch(/^8080\/tcp http/);
    expect(await call('scan_os_fingerprint', '192.168.1.2')).toMatch(/^Linux \(/);
  }, 60_000);

  it('scan_network finds the lab host, named from the target map (no DNS asked)', async () => {
    const hosts = await call('scan_network', `${lab.net}.0/29`);
    expect(hosts.map((h: { ip: string }) => h.ip)).toEqual([srv]);
    expect(hosts[0]).toMatchObject({ ip: srv, hostname: 'srv' });
    expect(hosts[0].mac).toBe(await lab.mac(lab.host('srv')));
  }, 60_000);

  it('scan_vulnerabilities: the NVD sample records whose OpenSSH ranges hold 8.4', async () => {
    const vulns = await call('scan_vulnerabilities', 'srv');
    // CVE-2021-41617: 6.2 <= v < 8.8; CVE-2023-48795: < 9.6; CVE-2023-38408: < 9.3; CVE-2024-6387 starts at 8.5
    expect(vulns.map((v: { cve_id: string }) => v.cve_id).sort()).toEqual([
      'CVE-2021-41617',
      'CVE-2023-38408',
      'CVE-2023-48795',
    ]);
    for (const v of vulns) expect(v).toMatchObject({ port: 2222, product: 'OpenSSH', version: '8.4p1' });
  }, 120_000);

  it('targets outside the map are refused before anything is sent; bad input is refused', async () => {
    expect(await code(call('scan_ports', '8.8.8.8', '53'))).toBe(ErrorCodes.TARGET_NOT_ALLOWED);
    expect(await code(call('scan_network', '10.0.0.0/24'))).toBe(ErrorCodes.TARGET_NOT_ALLOWED);
    expect(await code(call('scan_service_version', 'example.com', 80))).toBe(ErrorCodes.TARGET_NOT_ALLOWED);
    expect(await code(call('scan_ports', srv, '99999'))).toBe(ErrorCodes.INVALID_PORT_RANGE);
    expect(await code(call('scan_service_version', srv, 0.5))).toBe(ErrorCodes.INVALID_ARGUMENT);
  }, 30_000);
});
