import { describe, expect, it } from 'vitest';
import {
  ADVISORY_TRANSITIONS,
  advisoryPublicId,
  applyText,
  describePublishProblem,
  publishProblems,
  sameContent,
  type AdvisoryContent,
} from './model.js';

const now = new Date('2026-03-01T00:00:00Z');
const base = { titleZh: null, titleEn: null, summaryZh: null, summaryEn: null, tlp: 'WHITE' as const };

describe('advisory model', () => {
  it('numbers public ids per year: VS-SA-<year>-<four digits>', () => {
    expect(advisoryPublicId(2026, 1)).toBe('VS-SA-2026-0001');
    expect(advisoryPublicId(2026, 12345)).toBe('VS-SA-2026-12345');
  });

  it('goes draft → published, and published → published for each revision', () => {
    expect(ADVISORY_TRANSITIONS).toEqual({ draft: ['published'], published: ['published'] });
  });

  it('refuses records that are not published, under embargo, rejected or unknown, and two records of one CVE', () => {
    const problems = publishProblems(
      [
        { id: 'CNVD-2024-00001', kind: 'published', cves: ['CVE-2024-0001'] },
        { id: 'CNVD-2024-00002', kind: 'published', cves: ['CVE-2024-0001'] },
        { id: 'VS-2026-00001', kind: 'unpublished', until: '2026-06-01T00:00:00.000Z' },
        { id: 'VS-2026-00002', kind: 'unpublished', until: '2026-01-01T00:00:00.000Z' },
        { id: 'VS-2026-00003', kind: 'unpublished', until: null },
        { id: 'CVE-2024-0009', kind: 'rejected' },
        { id: 'CVE-1999-0001', kind: 'unknown' },
      ],
      now,
    );
    expect(problems.map((p) => [p.id, p.reason])).toEqual([
      ['CNVD-2024-00002', 'same_cve'],
      ['VS-2026-00001', 'embargoed'],
      ['VS-2026-00002', 'unpublished'], // the embargo ended, the report is still not published
      ['VS-2026-00003', 'unpublished'],
      ['CVE-2024-0009', 'rejected'],
      ['CVE-1999-0001', 'unknown'],
    ]);
    expect(problems.map(describePublishProblem)[0]).toBe(
      'CNVD-2024-00002 carries CVE-2024-0001, as CNVD-2024-00001 does (one CSAF entry per CVE)',
    );
    expect(publishProblems([{ id: 'CNVD-2024-00001', kind: 'published', cves: [] }], now)).toEqual([]);
  });

  it('needs a title, trims text, clears with null or "", and knows TLP:CLEAR as WHITE', () => {
    expect(() => applyText(base, { summaryEn: 'x' })).toThrow(/needs a title/);
    const t = applyText(base, { titleEn: '  Routers  ', summaryZh: '', tlp: 'clear' });
    expect(t).toEqual({ ...base, titleEn: 'Routers', tlp: 'WHITE' });
    expect(applyText(t, { titleZh: '路由器', titleEn: null, tlp: 'amber' })).toMatchObject({
      titleZh: '路由器',
      titleEn: null,
      tlp: 'AMBER',
    });
    expect(() => applyText(t, { tlp: 'purple' })).toThrow(/tlp must be one of/);
    expect(() => applyText(t, { titleEn: 'x'.repeat(301) })).toThrow(/longer than 300/);
  });

  it('compares content field by field, records in order', () => {
    const a: AdvisoryContent = { ...base, titleEn: 'x', vulnerabilityIds: ['A', 'B'] };
    expect(sameContent(a, { ...a, vulnerabilityIds: ['A', 'B'] })).toBe(true);
    expect(sameContent(a, { ...a, vulnerabilityIds: ['B', 'A'] })).toBe(false);
    expect(sameContent(a, { ...a, tlp: 'GREEN' })).toBe(false);
  });
});
