import type { LocalisedText } from '@renkei/contract';
import type { OrganisationModel } from './contacts.repository.ts';

/** How long a generated security.txt stays valid. RFC 9116 advises less than a year. */
export const SECURITY_TXT_DAYS = 90;

export interface TeamKey {
  fingerprint: string;
  userIds: string[];
}

/** Team data is staff-entered, but a line break in a field would forge a new field: flatten it. */
const oneLine = (value: string): string => value.replace(/[\r\n\u2028\u2029]+/g, ' ').trim();
const isWebAddress = (value: string): boolean => /^https?:\/\/[^\s]+$/i.test(value);

/**
 * The fields of `/.well-known/security.txt` (RFC 9116), unsigned.
 * @example buildSecurityTxt({ team, key, publicUrl: 'https://csirt.example.jp', now: new Date() })
 */
export function buildSecurityTxt(options: { team: OrganisationModel; key: TeamKey | null; publicUrl: string; now: Date }): string {
  const { team, key, publicUrl, now } = options;
  const lines: string[] = [`# ${oneLine(team.name)}${team.nameJa ? ` / ${oneLine(team.nameJa)}` : ''}`];
  if (team.contactEmail) lines.push(`Contact: mailto:${oneLine(team.contactEmail)}`);
  if (team.contactPhone) {
    const digits = team.contactPhone.replace(/[^0-9+]/g, '');
    if (digits.length >= 5) lines.push(`Contact: tel:${digits}`);
  }
  lines.push(`Contact: ${publicUrl}/`);
  const expires = new Date(now.getTime() + SECURITY_TXT_DAYS * 86_400_000);
  expires.setUTCMilliseconds(0);
  lines.push(`Expires: ${expires.toISOString().replace('.000Z', 'Z')}`);
  if (key) {
    lines.push(`Encryption: ${publicUrl}/pgp-key.txt`);
    lines.push(`Encryption: openpgp4fpr:${key.fingerprint.toLowerCase()}`);
  }
  const languages = team.languages.length > 0 ? team.languages : ['ja', 'en'];
  lines.push(`Preferred-Languages: ${languages.join(', ')}`);
  const policy = team.csirtProfile?.policyUrl;
  lines.push(`Policy: ${policy && isWebAddress(policy) ? oneLine(policy) : `${publicUrl}/rfc2350.txt`}`);
  lines.push(`Canonical: ${publicUrl}/.well-known/security.txt`);
  return `${lines.join('\n')}\n`;
}

type Locale = 'en' | 'ja';

const HEADINGS = {
  en: {
    title: 'RFC 2350 description',
    s1: '1. Document Information',
    s11: '1.1 Date of Last Update',
    s12: '1.2 Distribution List for Notifications',
    s13: '1.3 Locations where this Document May Be Found',
    s14: '1.4 Authenticating this Document',
    s2: '2. Contact Information',
    s21: '2.1 Name of the Team',
    s22: '2.2 Address',
    s23: '2.3 Time Zone',
    s24: '2.4 Telephone Number',
    s25: '2.5 Facsimile Number',
    s27: '2.7 Electronic Mail Address',
    s28: '2.8 Public Keys and Encryption Information',
    s29: '2.9 Team Members',
    s210: '2.10 Other Information',
    s211: '2.11 Points of Customer Contact',
    s3: '3. Charter',
    s31: '3.1 Mission Statement',
    s32: '3.2 Constituency',
    s33: '3.3 Sponsorship and/or Affiliation',
    s34: '3.4 Authority',
    s4: '4. Policies',
    s41: '4.1 Types of Incidents and Level of Support',
    s42: '4.2 Co-operation, Interaction and Disclosure of Information',
    s43: '4.3 Communication and Authentication',
    s5: '5. Services',
    s6: '6. Incident Reporting Forms',
    s7: '7. Disclaimers',
    none: 'Not stated.',
    noList: 'There is no distribution list for changes to this document.',
    signed: "This document is signed with the team's PGP key shown in 2.8.",
    notSigned: 'This document is not signed.',
    memberOf: 'Member of',
    hours: 'Operating hours',
    english: '(no Japanese text)',
  },
  ja: {
    title: 'RFC 2350 に基づくチーム情報',
    s1: '1. 文書情報',
    s11: '1.1 最終更新日',
    s12: '1.2 更新通知の配布先',
    s13: '1.3 本文書の入手先',
    s14: '1.4 本文書の真正性',
    s2: '2. 連絡先',
    s21: '2.1 チーム名',
    s22: '2.2 住所',
    s23: '2.3 タイムゾーン',
    s24: '2.4 電話番号',
    s25: '2.5 FAX 番号',
    s27: '2.7 電子メールアドレス',
    s28: '2.8 公開鍵と暗号化に関する情報',
    s29: '2.9 チームメンバー',
    s210: '2.10 その他の情報',
    s211: '2.11 連絡方法',
    s3: '3. 憲章',
    s31: '3.1 ミッション',
    s32: '3.2 対象範囲（コンスティチュエンシー）',
    s33: '3.3 スポンサーおよび所属',
    s34: '3.4 権限',
    s4: '4. ポリシー',
    s41: '4.1 対応するインシデントの種類とサポートのレベル',
    s42: '4.2 協力、連携および情報の開示',
    s43: '4.3 通信と認証',
    s5: '5. サービス',
    s6: '6. インシデント報告様式',
    s7: '7. 免責事項',
    none: '記載なし。',
    noList: '本文書の更新を通知する配布リストはありません。',
    signed: '本文書は 2.8 に示すチームの PGP 鍵で署名されています。',
    notSigned: '本文書は署名されていません。',
    memberOf: '加盟団体',
    hours: '対応時間',
    english: '（英語のみ）',
  },
} as const;

function localised(text: LocalisedText | undefined, locale: Locale, fallbackNote: string): string | null {
  if (!text) return null;
  const preferred = text[locale]?.trim();
  if (preferred) return preferred;
  const other = (locale === 'ja' ? text.en : text.ja)?.trim();
  return other ? (locale === 'ja' ? `${fallbackNote}\n${other}` : other) : null;
}

/**
 * The team's RFC 2350 description in Japanese or English, from its directory entry, unsigned.
 * @example buildRfc2350({ team, key, publicUrl, locale: 'ja', updatedAt: team.updatedAt })
 */
export function buildRfc2350(options: { team: OrganisationModel; key: TeamKey | null; publicUrl: string; locale: Locale; signed: boolean }): string {
  const { team, key, publicUrl, locale, signed } = options;
  const h = HEADINGS[locale];
  const profile = team.csirtProfile ?? {};
  const out: string[] = [];
  const section = (heading: string, body: string | null | undefined) => {
    out.push(heading, '', indent(body && body.trim() ? body : h.none), '');
  };
  const name = locale === 'ja' && team.nameJa ? team.nameJa : team.name;
  out.push(`${name}: ${h.title}`, '='.repeat(Math.min(72, 40)), '');
  out.push(h.s1, '');
  section(h.s11, team.updatedAt.toISOString().slice(0, 10));
  section(h.s12, h.noList);
  section(h.s13, `${publicUrl}/rfc2350.txt?lang=${locale}\n${publicUrl}/rfc2350.txt?lang=${locale === 'ja' ? 'en' : 'ja'}`);
  section(h.s14, signed ? h.signed : h.notSigned);
  out.push(h.s2, '');
  const teamName = [profile.officialTeamName, profile.shortTeamName ? `(${profile.shortTeamName})` : null, team.nameJa && locale === 'en' ? null : team.nameJa]
    .filter(Boolean)
    .join(' ');
  section(h.s21, teamName || team.name);
  section(h.s22, profile.postalAddress ?? null);
  section(h.s23, team.timeZone ?? null);
  section(h.s24, [team.contactPhone, ...(profile.phoneNumbers ?? [])].filter(Boolean).join('\n') || null);
  section(h.s25, (profile.faxNumbers ?? []).join('\n') || null);
  section(h.s27, team.contactEmail);
  section(h.s28, key ? `${key.fingerprint.replace(/(.{4})/g, '$1 ').trim()}\n${key.userIds.join('\n')}\n${publicUrl}/pgp-key.txt` : null);
  section(h.s29, null);
  const other = [profile.memberOf?.length ? `${h.memberOf}: ${profile.memberOf.join(', ')}` : null, team.website].filter(Boolean).join('\n');
  section(h.s210, other || null);
  section(
    h.s211,
    [team.contactEmail, localised(profile.operatingHours, locale, h.english) ? `${h.hours}: ${localised(profile.operatingHours, locale, h.english)}` : null]
      .filter(Boolean)
      .join('\n') || null,
  );
  out.push(h.s3, '');
  section(h.s31, localised(profile.mission, locale, h.english));
  section(h.s32, [profile.constituency, localised(profile.constituencyDescription, locale, h.english)].filter(Boolean).join('\n') || null);
  section(h.s33, [profile.hostOrganisation, profile.parentOrganisation].filter(Boolean).join('\n') || null);
  section(h.s34, localised(profile.authority, locale, h.english));
  out.push(h.s4, '');
  section(h.s41, localised(profile.incidentTypes, locale, h.english));
  section(h.s42, localised(profile.cooperation, locale, h.english));
  section(h.s43, localised(profile.communication, locale, h.english));
  section(h.s5, localised(profile.services, locale, h.english));
  section(h.s6, localised(profile.reportingForms, locale, h.english));
  section(h.s7, localised(profile.disclaimers, locale, h.english));
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

function indent(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => (line ? `   ${line}` : ''))
    .join('\n');
}
