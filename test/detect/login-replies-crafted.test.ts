/**
 * Failed logins read from replies, on crafted sessions for what the real-server test does not
 * cover: POP3 (-ERR to PASS, a CAPA list before it), IMAP (tagged NO to LOGIN, untagged lines),
 * an FTP 530 answering a command that is not a login, multi-line greetings, and a successful
 * login after failures (the session ends short, yet only the failures count).
 */
import { describe, expect, it } from 'vitest';
import { CUSTOM_SID_BASE, CustomRuleSet, compileCustomRule } from '../../src/detect/custom-rules.js';
import { T0, Traffic } from './craft.js';
import { craftedAlerts } from './run.js';

const ATT = '10.7.0.66';
const SRV = '10.7.0.2';

type Msg = { from: 'client' | 'server'; data: string };

function rules(pattern: string): CustomRuleSet {
  const set = new CustomRuleSet();
  set.add(compileCustomRule('rule-1', CUSTOM_SID_BASE + 1, { pattern }));
  return set;
}

/** Alerts of a count-less rule: one per failed login. */
async function failures(port: number, msgs: Msg[], service: string): Promise<number> {
  const tr = new Traffic();
  tr.session(T0, ATT, SRV, 40000, port, msgs);
  const a = await craftedAlerts(tr, [rules(`failed ${service} login`)]);
  for (const x of a) expect(x.src_ip).toBe(ATT);
  return a.length;
}

const c = (data: string): Msg => ({ from: 'client', data });
const s = (data: string): Msg => ({ from: 'server', data });

describe('failed logins from replies (crafted sessions)', () => {
  it('POP3: -ERR to PASS counts, after a CAPA list; +OK to PASS ends the count', async () => {
    const n = await failures(
      110,
      [
        s('+OK POP3 ready\r\n'),
        c('CAPA\r\n'),
        s('+OK Capability list follows\r\nUSER\r\nSASL PLAIN\r\n.\r\n'),
        c('USER bob\r\n'),
        s('+OK\r\n'),
        c('PASS nope\r\n'),
        s('-ERR [AUTH] Authentication failed.\r\n'),
        c('USER bob\r\n'),
        s('+OK\r\n'),
        c('PASS nope2\r\n'),
        s('-ERR [AUTH] Authentication failed.\r\n'),
        c('USER bob\r\n'),
        s('+OK\r\n'),
        c('PASS right\r\n'),
        s('+OK Logged in.\r\n'),
        c('STAT\r\n'),
        s('-ERR no such thing\r\n'),
      ],
      'POP3',
    );
    expect(n).toBe(2);
  });

  it('IMAP: tagged NO to LOGIN counts; untagged lines and other commands do not', async () => {
    const n = await failures(
      143,
      [
        s('* OK [CAPABILITY IMAP4rev1 LOGIN-REFERRALS] Dovecot ready.\r\n'),
        c('A001 CAPABILITY\r\n'),
        s('* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA001 OK done\r\n'),
        c('A002 LOGIN bob nope\r\n'),
        s('A002 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n'),
        c('A003 SELECT INBOX\r\n'),
        s('A003 NO not logged in\r\n'),
        c('A004 LOGIN bob nope2\r\n'),
        s('A004 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n'),
      ],
      'IMAP',
    );
    expect(n).toBe(2);
  });

  it('FTP: a multi-line greeting; 530 to a command that is not USER/PASS is not a login', async () => {
    const n = await failures(
      21,
      [
        s('220-Welcome\r\n220-to the lab\r\n220 ready\r\n'),
        c('AUTH TLS\r\n'),
        s('530 Please login with USER and PASS.\r\n'),
        c('USER bob\r\n'),
        s('331 Please specify the password.\r\n'),
        c('PASS nope\r\n'),
        s('530 Login incorrect.\r\n'),
        c('USER bob\r\n'),
        s('331 Please specify the password.\r\n'),
        c('PASS right\r\n'),
        s('230 Login successful.\r\n'),
        c('QUIT\r\n'),
        s('221 Goodbye.\r\n'),
      ],
      'FTP',
    );
    expect(n).toBe(1);
  });

  it('SMTP: 535 after AUTH counts, a 535-free session with DATA does not', async () => {
    const n = await failures(
      587,
      [
        s('220 mx ESMTP\r\n'),
        c('EHLO x\r\n'),
        s('250-mx\r\n250-AUTH PLAIN LOGIN\r\n250 OK\r\n'),
        c('AUTH LOGIN\r\n'),
        s('334 VXNlcm5hbWU6\r\n'),
        c('Ym9i\r\n'),
        s('334 UGFzc3dvcmQ6\r\n'),
        c('bm9wZQ==\r\n'),
        s('535 5.7.8 Authentication credentials invalid\r\n'),
        c('MAIL FROM:<a@b>\r\n'),
        s('250 OK\r\n'),
        c('RCPT TO:<c@d>\r\n'),
        s('250 OK\r\n'),
        c('DATA\r\n'),
        s('354 go\r\n'),
        c('AUTH PLAIN x\r\n.\r\n'),
        s('535 not a reply to a login\r\n'),
      ],
      'SMTP',
    );
    expect(n).toBe(1);
  });
});
