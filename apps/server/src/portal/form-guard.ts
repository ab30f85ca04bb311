import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Locale } from '@renkei/contract';
import type { Schema } from '../db/schema/index.ts';
import { type SafeHtml, html } from './html.ts';
import { SITE_STRINGS } from './strings.ts';

/** The name of the hidden field carrying the token, and of the trap field a person never sees. */
export const FORM_TOKEN_FIELD = 'form_token';
export const HONEYPOT_FIELD = 'website';

export interface FormGuardOptions {
  /** Which form this guard signs for: a token issued for one form is refused by another. */
  purpose: string;
  /** The site's secret key (32 bytes), shared by every server process. */
  key: () => Promise<Buffer>;
  /** A token is good for this long after the form was shown (default 2 h)… */
  maxAgeMs?: number;
  /** …and not before this: a person does not fill in a form in under a second (default 1 s). */
  minAgeMs?: number;
  /**
   * Makes each token good for one submission: records a good token as spent and answers false when it
   * already was (`spentFormTokens(db)`, atomic across requests and server processes). Unset = reusable.
   */
  spend?: SpendToken;
}

/** Records a token as used; true the first time, false when it was used already. */
export type SpendToken = (token: string, expiresAt: Date) => Promise<boolean>;

export interface FormVerdict {
  /** The token was issued here, for this form, neither too recently nor too long ago, and (single-use forms) not used before. */
  fresh: boolean;
  /** The trap field was filled: a robot. Answer as if it worked and store nothing. */
  robot: boolean;
  /**
   * No token, or one this site did not sign for this form: not a person whose form merely expired. A form
   * may refuse such a post outright (before reading any uploaded file) rather than show itself again.
   */
  forged: boolean;
}

/** Anti-forgery and anti-robot protection for one public form: a signed, time-limited token and a honeypot. */
export interface FormGuard {
  /** A new token: issued-at and a nonce, signed for this guard's purpose. */
  issue(now?: number): Promise<string>;
  /** The hidden inputs a form carries: the token and, unless turned off, the honeypot. */
  fields(locale: Locale, options?: { honeypot?: boolean }): Promise<SafeHtml>;
  /** Checks a submitted body (untrusted input: any field may be missing, repeated or not text). */
  verify(body: Record<string, unknown>, now?: number): Promise<FormVerdict>;
}

/**
 * @example const guard = createFormGuard({ purpose: 'subscribe', key: formKey(db) });
 *          html`<form method="post">${await guard.fields(locale)}…</form>`; const { fresh, robot } = await guard.verify(body);
 */
export function createFormGuard(options: FormGuardOptions): FormGuard {
  const maxAge = options.maxAgeMs ?? 2 * 3600_000;
  const minAge = options.minAgeMs ?? 1000;
  const sign = async (payload: string) =>
    createHmac('sha256', await options.key())
      .update(`${options.purpose}\n${payload}`)
      .digest('base64url');

  const guard: FormGuard = {
    async issue(now = Date.now()) {
      const payload = `${now.toString(36)}.${randomBytes(9).toString('base64url')}`;
      return `${payload}.${await sign(payload)}`;
    },
    async fields(locale, { honeypot = true } = {}) {
      const token = await guard.issue();
      const trap = honeypot
        ? html`<div hidden>
            <label for="${HONEYPOT_FIELD}">${SITE_STRINGS.in(locale)('form.honeypot')}</label
            ><input id="${HONEYPOT_FIELD}" name="${HONEYPOT_FIELD}" tabindex="-1" autocomplete="off" value="" />
          </div>`
        : '';
      return html`<input type="hidden" name="${FORM_TOKEN_FIELD}" value="${token}" />${trap}`;
    },
    async verify(body, now = Date.now()) {
      const trap = body[HONEYPOT_FIELD];
      const robot = trap !== undefined && trap !== '' && !(Array.isArray(trap) && trap.every((value) => value === ''));
      const token = await checkToken(body[FORM_TOKEN_FIELD], now);
      return { fresh: token === 'fresh', robot, forged: token === 'forged' };
    },
  };

  async function checkToken(token: unknown, now: number): Promise<'fresh' | 'stale' | 'forged'> {
    if (typeof token !== 'string' || token.length > 200) return 'forged';
    const parts = token.split('.');
    if (parts.length !== 3) return 'forged';
    const issued = parseInt(parts[0]!, 36);
    if (!Number.isFinite(issued)) return 'forged';
    const expected = Buffer.from(await sign(`${parts[0]}.${parts[1]}`));
    const given = Buffer.from(parts[2]!);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'forged';
    if (now - issued > maxAge || now - issued < minAge) return 'stale';
    // Only a genuine token is recorded, so forged ones cannot fill the table; a spent one reads as expired.
    if (options.spend && !(await options.spend(`${options.purpose}:${parts[0]}.${parts[1]}`, new Date(issued + maxAge)))) return 'stale';
    return 'fresh';
  }
  return guard;
}

/**
 * The site's form key, kept in the database (made on first use) so every server process behind a load
 * balancer accepts the tokens any of them issued. Loaded once per process; a failed load is retried.
 */
export function formKey(db: Kysely<Schema>): () => Promise<Buffer> {
  let key: Promise<Buffer> | null = null;
  return () =>
    (key ??= (async () => {
      await db
        .insertInto('public_form_keys')
        .values({ id: 1, key: randomBytes(32) })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      return (await db.selectFrom('public_form_keys').select('key').where('id', '=', 1).executeTakeFirstOrThrow()).key;
    })().catch((error: unknown) => {
      key = null;
      throw error;
    }));
}

/**
 * Single use for form tokens, kept in the database so every server process agrees: the first
 * submission's insert wins, a parallel or later one finds the row. Expired rows are swept as it goes.
 * @example createFormGuard({ purpose: 'report', key: formKey(db), spend: spentFormTokens(db) })
 */
export function spentFormTokens(db: Kysely<Schema>): SpendToken {
  return async (token, expiresAt) => {
    await db.deleteFrom('public_form_tokens_spent').where('expires_at', '<', new Date()).execute();
    const row = await db
      .insertInto('public_form_tokens_spent')
      .values({ token, expires_at: expiresAt })
      .onConflict((oc) => oc.column('token').doNothing())
      .returning('token')
      .executeTakeFirst();
    return row !== undefined;
  };
}
