/** response.auto_ban: the source of a high alert is banned, a low alert's is not. */
import { describe, expect, it } from 'vitest';
import { eveAlert, startTestDaemon, until } from './helpers.js';

describe('automatic response', () => {
  it('bans the source of alerts at or above the minimum severity, with the alert as reason', async () => {
    const t = await startTestDaemon({
      'response.auto_ban': true,
      'response.min_severity': 'high',
      'response.ban_time': 300,
    });
    try {
      const high = eveAlert(5, { src_ip: '192.0.2.50' }, 1);
      const low = eveAlert(6, { src_ip: '192.0.2.60' }, 3);
      await t.call('POST', '/api/alerts', [high, low]);
      const bans = await until(
        async () => {
          const b = (await t.call('GET', '/api/bans')).json.bans;
          return b.length > 0 ? b : null;
        },
        10_000,
        'the ban',
      );
      expect(bans.map((b: { src_ip: string }) => b.src_ip)).toEqual(['192.0.2.50']);
      expect(bans[0].source).toMatch(/^ids:alert-\d+$/);
      expect(bans[0].reason).toContain('TEST alert 5');
      expect(bans[0].time_remaining).toBeGreaterThan(290);
      expect(bans[0].time_remaining).toBeLessThanOrEqual(300);
    } finally {
      await t.stop();
    }
  });
});
