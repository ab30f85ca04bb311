import type { LookupAnswer } from '@renkei/contract';

/**
 * The team's own country, as the server's coordination flow assumes it (CoordinationOptions.homeCountry):
 * a host elsewhere also proposes that country's national CSIRT.
 */
export const HOME_COUNTRY = 'JP';

export interface ProposedParty {
  role: 'isp' | 'foreign_csirt';
  name: string | null;
  email: string | null;
  country: string | null;
  host: string;
  source: string | null;
}

/**
 * Who the lookup says can act: the network's holder and abuse address, and for a foreign host its
 * national CSIRT (the same rule as the server's `GET /incidents/:id/parties`).
 * @example proposedParties(report.lookup as LookupAnswer[])
 */
export function proposedParties(answers: readonly LookupAnswer[]): ProposedParty[] {
  const out: ProposedParty[] = [];
  for (const answer of answers) {
    if (answer.kind === 'invalid') continue;
    const host = answer.display ?? answer.normalized ?? answer.input;
    const country = answer.country.value;
    if (answer.organisation.value || answer.abuseContact.value) {
      out.push({
        role: 'isp',
        name: answer.organisation.value?.name ?? answer.asName.value,
        email: answer.abuseContact.value,
        country,
        host,
        source: answer.abuseContact.source ?? answer.organisation.source,
      });
    }
    if (country && country !== HOME_COUNTRY && answer.nationalCsirt.value) {
      out.push({
        role: 'foreign_csirt',
        name: answer.nationalCsirt.value.name,
        email: answer.nationalCsirt.value.email,
        country,
        host,
        source: answer.nationalCsirt.source,
      });
    }
  }
  return out;
}
