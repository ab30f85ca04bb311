import * as openpgp from 'openpgp';
import PostalMime from 'postal-mime';
import type { VendorMailDraft } from '@renkei/contract';
import { type SinkMessage, type TestKey, insertDirectoryKey, makeKey, waitFor } from '../mail/mail-test-kit.ts';
import type { TestApp, TestUser } from '../testing/test-app.ts';
import { openCase, outsideOrganisationWithUser } from './vulnerabilities-test-kit.ts';

/**
 * A case with two vendors for the tests of the team's mail to vendors: "Kagi Vendor" writes Japanese and
 * has a key in the directory (its mail goes encrypted), "Plain Vendor" writes English and has none (its
 * mail is the log-in notice only). Neither is shared yet: the first mail shares the case and starts the 起算日.
 */
export async function caseWithTwoVendors(harness: { t: TestApp }) {
  const { t } = harness;
  const coordinator = await t.createUser(['coordinator']);
  const kagi = await outsideOrganisationWithUser(t, 'Kagi Vendor');
  const plain = await outsideOrganisationWithUser(t, 'Plain Vendor');
  await t.database.db
    .updateTable('organisations')
    .set({ languages: ['ja'] })
    .where('id', '=', kagi.organisationId)
    .execute();
  await t.database.db
    .updateTable('organisations')
    .set({ languages: ['en', 'ja'] })
    .where('id', '=', plain.organisationId)
    .execute();
  const kagiKey = await makeKey('psirt@kagi-vendor.example');
  await insertDirectoryKey(t.database, kagiKey, { email: 'psirt@kagi-vendor.example' });
  const { caseId, reference } = await openCase(t, coordinator, 'Mail Product');
  const vulnerability = await t.request(coordinator, {
    method: 'POST',
    url: `/api/v1/cases/${caseId}/vulnerabilities`,
    payload: { title: 'SQL injection in the login form', titleJa: 'ログインフォームにおける SQL インジェクション' },
  });
  if (vulnerability.statusCode !== 201) throw new Error(`vulnerability: ${vulnerability.statusCode} ${vulnerability.body}`);
  const participantOf = async (organisationId: string) => {
    const added = await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${caseId}/vendors`, payload: { organisationId } });
    if (added.statusCode !== 201) throw new Error(`vendor: ${added.statusCode} ${added.body}`);
    return added.json<{ participantId: string }>().participantId;
  };
  return {
    coordinator,
    caseId,
    reference,
    kagi: { ...kagi, participantId: await participantOf(kagi.organisationId), key: kagiKey, address: 'psirt@kagi-vendor.example' },
    plain: { ...plain, participantId: await participantOf(plain.organisationId), address: 'psirt@plain-vendor.example' },
  };
}

export async function draftsFor(t: TestApp, user: TestUser, caseId: string, payload: object): Promise<VendorMailDraft[]> {
  const response = await t.request(user, { method: 'POST', url: `/api/v1/cases/${caseId}/mail-drafts`, payload });
  if (response.statusCode !== 200) throw new Error(`drafts: ${response.statusCode} ${response.body}`);
  return response.json<VendorMailDraft[]>();
}

/** Sends drafts as they are (or with `edit` applied): the ids of the case mails. */
export async function sendDrafts(t: TestApp, user: TestUser, caseId: string, drafts: VendorMailDraft[], edit = (d: VendorMailDraft) => d) {
  const mails = drafts.map(edit).map((d) => ({ participantId: d.participantId, template: d.template, subject: d.subject, body: d.body }));
  const response = await t.request(user, { method: 'POST', url: `/api/v1/cases/${caseId}/mails`, payload: { mails } });
  if (response.statusCode !== 201) throw new Error(`send: ${response.statusCode} ${response.body}`);
  return response.json<{ ids: string[] }>().ids;
}

/** The relayed copy of the outbound message with this id (waits for the relay). */
export async function relayed(t: TestApp, sink: { messages: SinkMessage[] }, mailMessageId: string): Promise<{ raw: Buffer; messageId: string }> {
  const row = await waitFor(
    () => t.database.db.selectFrom('mail_messages').select(['status', 'message_id']).where('id', '=', mailMessageId).executeTakeFirstOrThrow(),
    (r) => r.status === 'sent',
  );
  const found = sink.messages.find((m) => m.raw.toString('latin1').includes(`<${row.message_id}>`));
  if (!found) throw new Error('not relayed');
  return { raw: found.raw, messageId: row.message_id! };
}

/** What the recipient reads: the text of a signed mail, or of an encrypted one after decrypting it with its key. */
export async function readAsRecipient(raw: Buffer, key?: TestKey): Promise<{ subject: string; text: string; encrypted: boolean }> {
  const outer = await PostalMime.parse(raw);
  const armored = /-----BEGIN PGP MESSAGE-----[\s\S]+?-----END PGP MESSAGE-----/.exec(raw.toString('latin1'))?.[0];
  if (!armored || !key) return { subject: outer.subject ?? '', text: outer.text ?? '', encrypted: armored !== undefined };
  const decrypted = await openpgp.decrypt({
    message: await openpgp.readMessage({ armoredMessage: armored }),
    decryptionKeys: key.privateKey,
    format: 'binary',
  });
  const inner = await PostalMime.parse(Buffer.from(decrypted.data));
  return { subject: outer.subject ?? '', text: inner.text ?? '', encrypted: true };
}
