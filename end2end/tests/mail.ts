import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * E-mail as the local SMTP sink delivered it (scripts/mail.sh: one file per message in a Maildir,
 * PORTAL_MAILDIR), so the journeys read the real message the portal sent and follow its link.
 */
export const MAILDIR = process.env.PORTAL_MAILDIR ?? path.join(__dirname, '..', '..', 'target', 'mail', 'maildir');

/** Quoted-printable (RFC 2045): soft line breaks and =XX escapes. */
function quotedPrintable(s: string): string {
  const bytes = s
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

export type Delivered = { raw: string; text: string; at: number };

/** The decoded text/plain part of a message. */
function plainText(raw: string): string {
  const at = raw.toLowerCase().indexOf('content-type: text/plain');
  if (at < 0) return raw;
  const part = raw.slice(at);
  const split = part.indexOf('\n\n');
  const head = part.slice(0, split);
  const body = part.slice(split + 2).split('\n--')[0];
  return /quoted-printable/i.test(head) ? quotedPrintable(body) : body;
}

/** Messages to `to` (by the SMTP envelope) delivered since `since` (ms), oldest first. */
export function mailTo(to: string, since = 0): Delivered[] {
  const dir = path.join(MAILDIR, 'new');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((f) => path.join(dir, f))
    .map((f) => ({ raw: fs.readFileSync(f, 'utf8').replace(/\r\n/g, '\n'), at: fs.statSync(f).mtimeMs }))
    .filter((m) => m.at >= since)
    .filter((m) => {
      const rcpt = m.raw.split('\n').find((l) => l.startsWith('X-Sink-Rcpt-To:')) ?? '';
      return rcpt
        .slice('X-Sink-Rcpt-To:'.length)
        .split(',')
        .some((a) => a.trim().toLowerCase() === to.toLowerCase());
    })
    .map((m) => ({ ...m, text: plainText(m.raw) }))
    .sort((a, b) => a.at - b.at);
}

/** Waits for the first message to `to` since `since` with a link to `page`, and returns both. */
export async function waitForLink(to: string, page: string, since: number): Promise<{ mail: Delivered; link: string }> {
  const pattern = new RegExp(`https?://\\S+${page}\\?token=[0-9a-f]{64}`);
  for (let i = 0; i < 150; i++) {
    for (const mail of mailTo(to, since)) {
      const m = mail.text.match(pattern);
      if (m) return { mail, link: m[0] };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to} with a ${page} link in ${MAILDIR} (is the SMTP sink running?)`);
}
