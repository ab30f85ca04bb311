import { type Static, Type } from '@sinclair/typebox';
import { Timestamp, Uuid } from './common.ts';

/**
 * Mail between the coordinator and a case's vendors: drafts from a template in each vendor's language,
 * encrypted where the directory has the vendor's key (otherwise only "there is a case, log in"), sent
 * through the outbox; the case's sent mails with their delivery state.
 */

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((value) => Type.Literal(value)));

/** First notice, reminder, a proposed publication date, the publication notice. */
export const VENDOR_MAIL_TEMPLATES = ['initial', 'reminder', 'embargo_proposal', 'publication'] as const;
export type VendorMailTemplate = (typeof VENDOR_MAIL_TEMPLATES)[number];
/** full: the text the team wrote, encrypted; notice_only: no key, so only "there is a case, log in" went out. */
export const VENDOR_MAIL_CONTENTS = ['full', 'notice_only'] as const;

export const VendorMailDraftsRequest = Type.Object(
  {
    template: literals(VENDOR_MAIL_TEMPLATES),
    /** The vendor participants to draft for; absent = every vendor of the case. */
    participantIds: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 500, uniqueItems: true })),
  },
  { additionalProperties: false },
);
export type VendorMailDraftsRequest = Static<typeof VendorMailDraftsRequest>;

export const VendorMailDraft = Type.Object({
  participantId: Uuid,
  organisationId: Uuid,
  vendorName: Type.String(),
  /** The vendor's contact address in the directory; null = none, nothing can be sent. */
  to: Type.Union([Type.String(), Type.Null()]),
  language: literals(['ja', 'en'] as const),
  /** True when the directory has a usable key for the address: the body goes encrypted. False: signed only, and the body is the log-in notice. */
  encrypted: Type.Boolean(),
  template: literals(VENDOR_MAIL_TEMPLATES),
  subject: Type.String(),
  body: Type.String(),
  /** What would go out in clear instead of `body` when it cannot be encrypted. */
  noticeBody: Type.String(),
});
export type VendorMailDraft = Static<typeof VendorMailDraft>;

export const SendVendorMailsRequest = Type.Object(
  {
    mails: Type.Array(
      Type.Object(
        {
          participantId: Type.String({ format: 'uuid' }),
          template: literals(VENDOR_MAIL_TEMPLATES),
          subject: Type.String({ minLength: 1, maxLength: 500 }),
          body: Type.String({ minLength: 1, maxLength: 100_000 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 200 },
    ),
  },
  { additionalProperties: false },
);
export type SendVendorMailsRequest = Static<typeof SendVendorMailsRequest>;

export const CaseMail = Type.Object({
  id: Uuid,
  participantId: Uuid,
  organisationId: Uuid,
  vendorName: Type.String(),
  template: literals(VENDOR_MAIL_TEMPLATES),
  language: literals(['ja', 'en'] as const),
  encrypted: Type.Boolean(),
  content: literals(VENDOR_MAIL_CONTENTS),
  to: Type.String(),
  subject: Type.String(),
  mailMessageId: Uuid,
  sentAt: Timestamp,
  /** The outbox: held | queued | sending | sent | failed | unconfirmed. */
  status: Type.String(),
  statusDetail: Type.Union([Type.String(), Type.Null()]),
  /** What DSNs said: relayed | delivered | delayed | failed | bounced; null = nothing yet. */
  deliveryStatus: Type.Union([Type.String(), Type.Null()]),
  deliveryDetail: Type.Union([Type.String(), Type.Null()]),
});
export type CaseMail = Static<typeof CaseMail>;
