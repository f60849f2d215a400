import { afterAll, describe, expect, it } from 'vitest';
import { freeSubnet24, NetnsLab, run } from './netns.js';

// The namespace helper is the base of every network test: prove it builds a LAN the root
// namespace can reach, and that it leaves nothing behind.
describe('NetnsLab', () => {
  const lab = new NetnsLab();
  afterAll(() => lab.destroy());

  it('builds a bridged LAN reachable from the root namespace and removes it', async () => {
    const net = await freeSubnet24();
    const { hosts } = await lab.lan(
      [
        { name: 'h1', addr4: `${net}.2/24` },
        { name: 'h2', addr4: `${net}.3/24` },
      ],
      { rootAddr4: `${net}.1/24` },
    );
    const ping = await lab.exec(hosts.h1, ['ping', '-c', '1', '-W', '2', `${net}.3`]);
    expect(ping.stdout).toContain('1 received');
    const fromRoot = await run(['ping', '-c', '1', '-W', '2', `${net}.2`]);
    expect(fromRoot.stdout).toContain('1 received');
    await lab.destroy();
    const { stdout } = await run(['ip', 'netns', 'list']);
    expect(stdout).not.toContain(lab.id);
  });
});
