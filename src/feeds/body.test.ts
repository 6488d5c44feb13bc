import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseCve5 } from '../imports/cve5.js';
import { rssGrowth, zeroBombZip } from '../test-support/zip-bomb.js';
import { BodyError, settleBody } from './body.js';

const dir = mkdtempSync(join(tmpdir(), 'vs-body-'));
const MiB = 1024 * 1024;

describe('feed bodies past the size limit', () => {
  it('refuses a gzip body that unpacks past the byte limit, and leaves nothing unpacked behind', async () => {
    const raw = join(dir, 'kev.body');
    writeFileSync(raw, gzipSync(Buffer.alloc(64 * MiB, 0x20), { level: constants.Z_BEST_SPEED }));
    const settled = settleBody(raw, 'kev', 8 * MiB);
    await expect(settled).rejects.toBeInstanceOf(BodyError);
    await expect(settled).rejects.toThrow('the gzip body unpacks to more than the 8388608-byte limit');
  });

  it('passes a zip body with a 4 GiB entry to the importer, which refuses that entry by name with memory bounded', async () => {
    const raw = join(dir, 'cve.body');
    writeFileSync(raw, zeroBombZip('cves/2024/0xxx/CVE-2024-0001.json', 4096));
    const { result, growthBytes } = await rssGrowth(async () => {
      const body = await settleBody(raw, 'cve5');
      const out = [];
      for await (const it of parseCve5([body.path])) out.push(it);
      return out;
    });
    expect(result).toEqual([
      expect.objectContaining({
        ok: false,
        issue: expect.objectContaining({
          record: 'CVE-2024-0001',
          message: 'not read: entry declares 4096 MiB, over the 64 MiB limit of an entry',
        }) as unknown,
      }),
    ]);
    expect(growthBytes).toBeLessThan(300 * MiB);
  });
});

describe('NDJSON bodies (a GCVE dump)', () => {
  it('takes a whole dump and refuses one cut in the middle of a line, naming the line', async () => {
    const whole = join(dir, 'gcve.body');
    writeFileSync(whole, '{"a":1}\n{"b":2}\n');
    expect((await settleBody(whole, 'gcve')).kind).toBe('ndjson');
    const cut = join(dir, 'gcve-cut.body');
    writeFileSync(cut, '{"a":1}\n{"b":');
    await expect(settleBody(cut, 'gcve')).rejects.toThrow(/NDJSON body is incomplete or invalid at line 2/);
    const xml = join(dir, 'gcve-xml.body');
    writeFileSync(xml, '<vulnerabilities/>');
    await expect(settleBody(xml, 'gcve')).rejects.toThrow(/a gcve feed serves ndjson/);
  });
});
