/**
 * The dashboard in a real browser: Playwright drives Debian's chromium (headless) against a
 * daemon whose firewall is nftables inside a namespace this test creates. It signs in, uploads
 * the shared lab capture, shows and filters its alerts (counts checked against the capture's
 * truth file), shows an alert's EVE record, bans an attacker and unblocks it with the button
 * (checked in the namespace's nftables ruleset). Screenshots go to test-artifacts/daemon/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusPath, PROJECT_ROOT } from '../helpers/corpus.js';
import { NetnsLab } from '../helpers/netns.js';
import { startTestDaemon, type TestDaemon, until } from './helpers.js';

const ARTIFACTS = path.join(PROJECT_ROOT, 'test-artifacts', 'daemon');
const CHROMIUM = '/usr/bin/chromium';

let lab: NetnsLab;
let ns: string;
let t: TestDaemon;
let browser: Browser;
let page: Page;

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

async function nftRuleset(): Promise<string> {
  return (await lab.exec(ns, ['nft', 'list', 'ruleset'])).stdout;
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  lab = new NetnsLab();
  ns = await lab.ns('fw');
  t = await startTestDaemon({ 'firewall.backend': 'nftables', 'firewall.netns': ns });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
  await lab?.destroy();
});

describe('dashboard in chromium', () => {
  it('refuses a wrong token and signs in with the one-time link', async () => {
    await page.goto(t.url);
    await page.locator('#login').waitFor({ state: 'visible' });
    await page.fill('#token-input', 'wrong-token');
    await page.click('#login-form button[type=submit]');
    await expect.poll(() => page.locator('#login-error').textContent()).toContain('wrong token');
    await page.goto(`${t.url}/#login=${t.d.loginCode}`);
    await page.locator('#app').waitFor({ state: 'visible' });
    await expect.poll(() => page.locator('#live-dot').getAttribute('class')).toContain('on');
    // the code works once: the URL no longer carries it
    expect(page.url()).not.toContain('login=');
    await shot('01-signed-in');
  });

  it('analyses an uploaded lab capture and shows its alerts', async () => {
    const lab = corpusPath('lab', 'lab-basic.pcap');
    await page.setInputFiles('#upload-input', lab);
    await page.click('#upload-form button[type=submit]');
    await expect
      .poll(() => page.locator('#captures-table tbody tr').first().textContent(), { timeout: 60_000 })
      .toContain('done');
    const api = (await t.call('GET', '/api/alerts?limit=1')).json;
    expect(api.total).toBeGreaterThan(0);
    // the truth file: no high or critical alert may name the benign client
    for (const benign of ['10.77.0.3', 'fd77::3']) {
      const q = `/api/alerts?severity=high,critical&src_ip=${encodeURIComponent(benign)}&limit=1`;
      expect((await t.call('GET', q)).json.total, benign).toBe(0);
    }
    await expect
      .poll(() => page.locator('#alerts-total').textContent(), { timeout: 10_000 })
      .toBe(`${api.total} matching`);
    // packets counter and bandwidth chart show the traffic
    const status = (await t.call('GET', '/api/status')).json;
    await expect
      .poll(() => page.locator('#counters').textContent())
      .toContain(status.packets.toLocaleString('en-US'));
    await shot('02-alerts');
  });

  it('filters alerts by text, severity and source', async () => {
    const truth = JSON.parse(readFileSync(corpusPath('lab', 'lab-basic.truth.json'), 'utf8')) as {
      incidents: Array<{ type: string; what: string }>;
    };
    // "15 GET /login with Basic auth admin:passN, each answered 401"
    const brute = truth.incidents.find((i) => i.type === 'brute_force_http')!;
    const expected = Number(/^(\d+) GET/.exec(brute.what)![1]);
    await page.fill('#filter-q', 'failed HTTP basic authentication');
    await page.click('#alert-filters button[type=submit]');
    await expect.poll(() => page.locator('#alerts-total').textContent()).toBe(`${expected} matching`);
    expect(await page.locator('#alerts-table tbody tr').count()).toBe(expected);
    await page.fill('#filter-q', '');
    await page.selectOption('#filter-severity', 'low');
    await page.click('#alert-filters button[type=submit]');
    const low = (await t.call('GET', '/api/alerts?severity=low&limit=1')).json.total;
    await expect.poll(() => page.locator('#alerts-total').textContent()).toBe(`${low} matching`);
    const sevs = await page.locator('#alerts-table tbody tr td:nth-child(3)').allTextContents();
    expect(sevs.length).toBeGreaterThan(0);
    expect(new Set(sevs)).toEqual(new Set(['low']));
    await page.selectOption('#filter-severity', '');
    const sources = await page.locator('#filter-source option').allTextContents();
    expect(sources.some((s) => s.startsWith('signature'))).toBe(true);
    await page.selectOption('#filter-source', 'signature');
    await page.click('#alert-filters button[type=submit]');
    const bySource = (await t.call('GET', '/api/alerts?source=signature&limit=1')).json.total;
    await expect.poll(() => page.locator('#alerts-total').textContent()).toBe(`${bySource} matching`);
    await shot('03-filtered');
  });

  it("shows an alert's full EVE record", async () => {
    await page.fill('#filter-q', 'cross-site scripting');
    await page.selectOption('#filter-source', 'signature');
    await page.click('#alert-filters button[type=submit]');
    const xss = (await t.call('GET', '/api/alerts?q=cross-site%20scripting&source=signature&limit=1')).json
      .total;
    expect(xss).toBeGreaterThanOrEqual(1);
    await expect.poll(() => page.locator('#alerts-table tbody tr').count()).toBe(xss);
    await page.locator('#alerts-table tbody tr').first().click();
    const eve = JSON.parse((await page.locator('#eve-detail').textContent()) ?? '{}');
    expect(eve.event_type).toBe('alert');
    expect(eve.alert.signature).toContain('cross-site scripting');
    expect(eve.src_ip).toBe('10.77.0.1');
    expect(eve.http?.url ?? '').toContain('script');
    await shot('04-eve-record');
  });

  it('bans the attacker from an alert and unblocks it with the button (nftables in a namespace)', async () => {
    await page.locator('#alerts-table tbody tr').first().locator('button.ban-source').click();
    const row = page.locator('#bans-table tbody tr[data-ip="10.77.0.1"]');
    await row.waitFor({ state: 'visible' });
    await expect.poll(() => row.locator('td.remaining').textContent()).toMatch(/^(59m|1h 0m)/);
    expect(await nftRuleset()).toContain('10.77.0.1');
    await shot('05-banned');
    await row.locator('button.unblock').click();
    await row.waitFor({ state: 'detached' });
    expect((await t.call('GET', '/api/bans')).json.bans).toEqual([]);
    await until(
      async () => !(await nftRuleset()).includes('10.77.0.1'),
      5000,
      'the kernel set to drop the address',
    );
    await shot('06-unblocked');
  });
});
