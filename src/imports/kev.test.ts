import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ParseItem } from '../vulns/model.js';
import { sharedData } from '../test-support/shared-data.js';
import { parseKev } from './kev.js';

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
