import type { Publication } from '@renkei/contract';
import { describe, expect, it } from 'vitest';
import { publicationPollMs } from './advisories.ts';

const now = Date.parse('2027-01-15T00:00:00Z');
const at = (minutes: number) => new Date(now + minutes * 60_000).toISOString();
const publication = (overrides: Partial<Publication>): Publication => ({
  caseId: '00000000-0000-4000-8000-000000000000',
  published: false,
  publicId: null,
  publishedAt: null,
  revision: null,
  document: null,
  dueAt: at(30),
  blockers: ['not_due'],
  ...overrides,
});

describe('publicationPollMs', () => {
  it('Should ask every 10 s in the hour before an approved publication, and after its instant until it is published', () => {
    expect(publicationPollMs(publication({}), now)).toBe(10_000);
    expect(publicationPollMs(publication({ dueAt: at(-5), blockers: [] }), now)).toBe(10_000);
  });

  it('Should not ask when nothing can change by itself: published, no instant, no approved revision, or the instant far off', () => {
    expect(publicationPollMs(undefined, now)).toBe(false);
    expect(publicationPollMs(publication({ published: true, publicId: 'JVN#00000001', dueAt: null, blockers: [] }), now)).toBe(false);
    expect(publicationPollMs(publication({ dueAt: null, blockers: ['no_agreed_embargo', 'no_approved_revision'] }), now)).toBe(false);
    expect(publicationPollMs(publication({ blockers: ['not_due', 'no_approved_revision'] }), now)).toBe(false);
    expect(publicationPollMs(publication({ dueAt: at(61) }), now)).toBe(false);
  });
});
