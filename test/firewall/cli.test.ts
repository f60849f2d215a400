// `sentra firewall` and `sentra qos` as users run them (the built CLI), against nftables inside
// a namespace the test creates, and as dry runs on the memory backend.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { NetnsLab } from '../helpers/netns.js';

const home = mkdtempSync(path.join(os.tmpdir(), 'sentra-cli-fw-'));
const env = { SENTRA_HOME: home };
const lab = new NetnsLab();
let ns = '';

beforeAll(async () => {
  ns = await lab.ns('fw');
});
afterAll(async () => {
  await lab.destroy();
  rmSync(home, { recursive: true, force: true });
});

const sentra = (args: string[]) => runCli(args, { env });
const json = (s: string) => JSON.parse(s.trim().split('\n').pop()!);

describe('sentra firewall (nftables in a namespace)', () => {
  it('block, list, stats, unblock with --json', async () => {
    const b = await sentra([
      'firewall',
      'block',
      '203.0.113.9',
      '2001:db8::9',
      '--duration',
      '10m',
      '--reason',
      'cli test',
      '--backend',
      'nftables',
      '--netns',
      ns,
      '--json',
    ]);
    expect(b.code).toBe(0);
    const out = json(b.stdout);
    expect(out.count).toBe(2);
    expect(out.rules[0]).toMatchObject({ kind: 'ban', reason: 'cli test', source: 'cli' });
    // the kernel holds them (oracle: nft itself)
    const set = await lab.exec(ns, ['nft', 'list', 'set', 'inet', 'sentra', 'ban6']);
    expect(set.stdout).toContain('2001:db8::9 timeout 10m');
    const list = json(
      (await sentra(['firewall', 'list', '--backend', 'nftables', '--netns', ns, '--json'])).stdout,
    );
    expect(list.rules.map((r: { src_ip: string }) => r.src_ip).sort()).toEqual([
      '2001:db8::9',
      '203.0.113.9',
    ]);
    const stats = json(
      (await sentra(['firewall', 'stats', '--backend', 'nftables', '--netns', ns, '--json'])).stdout,
    );
    expect(stats).toMatchObject({ rules_count: 2, bans_count: 2, packets_blocked: 0, backend: 'nftables' });
    const u = await sentra([
      'firewall',
      'unblock',
      '203.0.113.9',
      '198.51.100.1',
      '--backend',
      'nftables',
      '--netns',
      ns,
      '--json',
    ]);
    expect(json(u.stdout)).toMatchObject({ not_found: ['198.51.100.1'] });
    const text = await sentra(['firewall', 'list', '--backend', 'nftables', '--netns', ns]);
    expect(text.stdout).toContain('2001:db8::9');
    expect(text.stdout).not.toContain('203.0.113.9');
  });

  it('bulk bans from a file, rule add/delete, policy refusal, clear', async () => {
    const file = path.join(home, 'list.txt');
    writeFileSync(file, '# attackers\n198.18.0.1\n198.18.0.2 # second\n\n198.18.1.0/24\n');
    const b = await sentra([
      'firewall',
      'block',
      '--file',
      file,
      '--backend',
      'nftables',
      '--netns',
      ns,
      '--json',
    ]);
    expect(json(b.stdout).count).toBe(3);
    const add = await sentra([
      'firewall',
      'rule',
      'add',
      '--chain',
      'INPUT',
      '--protocol',
      'tcp',
      '--dport',
      '22',
      '--action',
      'DROP',
      '--backend',
      'nftables',
      '--netns',
      ns,
      '--json',
    ]);
    expect(add.code).toBe(0);
    const rule = json(add.stdout);
    const chain = await lab.exec(ns, ['nft', 'list', 'chain', 'inet', 'sentra', 'input']);
    expect(chain.stdout).toContain(
      `tcp dport 22 counter name "r_${rule.id.slice(8)}" drop comment "${rule.id}"`,
    );
    const del = await sentra([
      'firewall',
      'rule',
      'delete',
      rule.id,
      '--backend',
      'nftables',
      '--netns',
      ns,
      '--json',
    ]);
    expect(json(del.stdout).id).toBe(rule.id);
    const pol = await sentra([
      'firewall',
      'policy',
      'input',
      'drop',
      '--backend',
      'nftables',
      '--netns',
      ns,
      '--json',
    ]);
    expect(pol.code).toBe(2);
    expect(json(pol.stdout).error.code).toBe('SENTRA_ERR_FIREWALL_UNSAFE_POLICY');
    const clear = await sentra([
      'firewall',
      'clear',
      '--remove-table',
      '--backend',
      'nftables',
      '--netns',
      ns,
      '--json',
    ]);
    expect(json(clear.stdout).removed).toBe(4);
    const tables = await lab.exec(ns, ['nft', 'list', 'tables']);
    expect(tables.stdout).not.toContain('sentra');
  });

  it('refuses injection and protected targets with exit code 2 and a typed error', async () => {
    for (const bad of ['1.2.3.4; rm -rf /', '$(reboot)', '1.2.3.4\nflush ruleset', 'x'.repeat(5000)]) {
      const r = await sentra(['firewall', 'block', bad, '--backend', 'nftables', '--netns', ns, '--json']);
      expect(r.code).toBe(2);
      expect(json(r.stdout).error.code).toMatch(/^SENTRA_ERR_INVALID_(IP|CIDR)$/);
    }
    const lo = await sentra(['firewall', 'block', '0.0.0.0/0', '--backend', 'nftables', '--netns', ns]);
    expect(lo.code).toBe(2);
    expect(lo.stderr).toContain('SENTRA_ERR_FIREWALL_PROTECTED_ADDRESS');
    const nsBad = await sentra(['firewall', 'list', '--backend', 'memory', '--netns', 'a;b', '--json']);
    expect(nsBad.code).toBe(2);
  });
});

describe('dry runs on the memory backend', () => {
  it('firewall block prints the nft script it would run and changes no kernel', async () => {
    const r = await sentra(['firewall', 'block', '192.0.2.44', '--duration', '90s', '--backend', 'memory']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("$ nft -f - <<'EOF'");
    expect(r.stdout).toContain('add element inet sentra ban4 { 192.0.2.44 timeout 1m30s }');
    const j = await sentra(['firewall', 'block', '192.0.2.45', '--backend', 'memory', '--json']);
    expect(json(j.stdout).dry_run[0].input).toContain('192.0.2.45');
    // the dry run remembers its own state, apart from the real one
    const list = json((await sentra(['firewall', 'list', '--backend', 'memory', '--json'])).stdout);
    expect(list.count).toBe(2);
  });

  it('qos limit prints the tc commands it would run', async () => {
    const r = await sentra([
      'qos',
      'limit',
      '192.0.2.8',
      '-i',
      'lo',
      '--rate',
      '2mbit',
      '--backend',
      'memory',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      '$ tc class add dev lo parent 5e: classid 5e:10 htb rate 2000kbit ceil 2000kbit prio 3',
    );
    expect(r.stdout).toContain('match ip dst 192.0.2.8/32 flowid 5e:10');
    const bad = await sentra([
      'qos',
      'limit',
      '192.0.2.8',
      '-i',
      'lo;reboot',
      '--rate',
      '2mbit',
      '--backend',
      'memory',
      '--json',
    ]);
    expect(bad.code).toBe(2);
  });
});

describe('sentra qos (tc in a namespace)', () => {
  it('limit, list and clear', async () => {
    const l = await sentra([
      'qos',
      'limit',
      '192.0.2.8',
      '-i',
      'lo',
      '--rate',
      '1mbit',
      '--netns',
      ns,
      '--json',
    ]);
    expect(l.code).toBe(0);
    expect(json(l.stdout)).toMatchObject({ rate_kbit: 1000, class_id: '5e:10' });
    const cls = await lab.exec(ns, ['tc', 'class', 'show', 'dev', 'lo']);
    expect(cls.stdout).toContain('class htb 5e:10 root prio 3 rate 1Mbit ceil 1Mbit');
    const list = json((await sentra(['qos', 'list', '--netns', ns, '--json'])).stdout);
    expect(list.count).toBe(1);
    const c = await sentra(['qos', 'clear', '--netns', ns, '--json']);
    expect(json(c.stdout)).toEqual({ removed: 1 });
    const qd = await lab.exec(ns, ['tc', 'qdisc', 'show', 'dev', 'lo']);
    expect(qd.stdout).not.toContain('htb');
  });
});
