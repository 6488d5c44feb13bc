import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ParseItem } from '../vulns/model.js';
import { sharedData } from '../test-support/shared-data.js';
import { cveRecord } from '../test-support/factories.js';
import { mergeVulnerability } from '../vulns/merge.js';
import { vulnRow } from '../vulns/row.js';
import { kevEntryToRecord, parseKev } from './kev.js';
import { prepareRecord } from './prepare.js';

async function collect(file: string): Promise<ParseItem[]> {
  const out: ParseItem[] = [];
  for await (const it of parseKev(file)) out.push(it);
  return out;
}
const dir = sharedData('cisa-kev');

describe.runIf(dir)('CISA KEV catalogue (real, 2025-08-25)', () => {
  it('reads 1,404 entries, 293 with known ransomware use, from the JSON and the same from the CSV', async () => {
    const json = await collect(join(dir ?? '', 'known_exploited_vulnerabilities.json'));
    const csv = await collect(join(dir ?? '', 'known_exploited_vulnerabilities.csv'));
    const recs = (xs: ParseItem[]) => xs.flatMap((x) => (x.ok ? [x.record] : []));
    expect(recs(json).length).toBe(1404);
    expect(recs(json).filter((r) => r.exploited?.ransomware).length).toBe(293);
    expect(recs(csv).map((r) => `${r.key} ${r.exploited?.dateAdded ?? ''} ${r.weaknesses.length}`)).toEqual(
      recs(json).map((r) => `${r.key} ${r.exploited?.dateAdded ?? ''} ${r.weaknesses.length}`),
    );
    const git = recs(json).find((r) => r.key === 'CVE-2025-48384');
    expect(git?.weaknesses.map((w) => w.cwe)).toEqual(['CWE-59', 'CWE-436']);
    expect(git?.references.length).toBe(6);
  });
});

describe.runIf(dir)('KEV JSON and CSV of one catalogue', () => {
  it('give identical source records, raw text and hash included', async () => {
    const hashes = async (f: string) =>
      (await collect(join(dir ?? '', f))).flatMap((x) =>
        x.ok ? [`${x.record.key} ${prepareRecord(x.record, 'kev').hash}`] : [],
      );
    const json = await hashes('known_exploited_vulnerabilities.json');
    expect(json.length).toBe(1404);
    expect(await hashes('known_exploited_vulnerabilities.csv')).toEqual(json);
  });
});

describe('KEV dates', () => {
  it("dates a KEV-only record by dateAdded, and keeps the CVE record's dates when there is one", () => {
    const kev = kevEntryToRecord(
      { cveID: 'CVE-2024-1111', dateAdded: '2024-03-05', vulnerabilityName: 'X', cwes: [] },
      'kev.json',
      1,
    );
    if (!kev.ok) throw new Error('expected a record');
    const alone = mergeVulnerability([prepareRecord(kev.record, 'kev.json').prepared]);
    expect(alone.dates).toEqual({ published: '2024-03-05', collected: '2024-03-05' });
    expect(vulnRow(alone).sort_date).toBe('2024-03-05');
    const withCve = mergeVulnerability([
      prepareRecord(kev.record, 'kev.json').prepared,
      prepareRecord(cveRecord('CVE-2024-1111'), 'cve.json').prepared,
    ]);
    expect(withCve.dates.published).toBe('2023-01-05T10:00:00.000Z');
    expect(withCve.dates.collected).toBe('2023-01-05T10:00:00.000Z');
  });
});

describe('KEV notes', () => {
  it('reads the URLs of the notes without the `,` or `",` that separate them', () => {
    const kev = kevEntryToRecord(
      {
        cveID: 'CVE-2025-5419',
        dateAdded: '2025-06-05',
        notes:
          'https://support.apple.com/en-us/121752, https://support.apple.com/en-us/121753 ; https://nvd.nist.gov/vuln/detail/CVE-2025-5419",',
        cwes: [],
      },
      'kev.json',
      1,
    );
    if (!kev.ok) throw new Error('expected a record');
    expect(kev.record.references).toEqual([
      { url: 'https://support.apple.com/en-us/121752' },
      { url: 'https://support.apple.com/en-us/121753' },
      { url: 'https://nvd.nist.gov/vuln/detail/CVE-2025-5419' },
    ]);
  });
});

describe('KEV bad input', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'kev-bad-'));
  it('names the file when it is not JSON or not the catalogue', async () => {
    const a = join(tmp, 'a.json');
    writeFileSync(a, '{"vulnerabilities": [');
    expect(await collect(a)).toEqual([
      {
        ok: false,
        file: a,
        issue: { file: a, message: expect.stringMatching(/cannot read the KEV catalogue/) as unknown },
      },
    ]);
    const b = join(tmp, 'b.json');
    writeFileSync(b, '{"x": 1}');
    expect((await collect(b))[0]).toMatchObject({
      ok: false,
      issue: { message: expect.stringMatching(/not the KEV catalogue/) as unknown },
    });
  });

  it('rejects an entry with a missing id or a bad date, naming record and field, and keeps the rest', async () => {
    const f = join(tmp, 'c.json');
    const good = {
      cveID: 'CVE-2024-0001',
      vendorProject: 'V',
      product: 'P',
      dateAdded: '2024-01-02',
      knownRansomwareCampaignUse: 'Unknown',
    };
    writeFileSync(
      f,
      JSON.stringify({
        vulnerabilities: [
          good,
          { ...good, cveID: undefined },
          { ...good, cveID: 'CVE-2024-0002', dateAdded: '2024-02-30' },
          { ...good, cveID: 'CVE-2024-0003' },
        ],
      }),
    );
    const items = await collect(f);
    expect(items.flatMap((i) => (i.ok ? [i.record.key] : []))).toEqual(['CVE-2024-0001', 'CVE-2024-0003']);
    expect(items.flatMap((i) => (i.ok ? [] : [i.issue]))).toEqual([
      { file: f, record: '#2', field: 'cveID', message: 'missing cveID' },
      { file: f, record: 'CVE-2024-0002', field: 'dateAdded', message: 'unparseable date "2024-02-30"' },
    ]);
  });
});
