/** Published TLP:WHITE advisories in the platform's CSAF provider distribution, beside the records. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS, CLI } from '../accounts/model.js';
import { completeConfig, createPlatform, type Platform } from '../app/platform.js';
import { describeProblem, validateCsaf } from '../csaf/validate.js';
import type { Database } from '../db/client.js';
import { importItems } from '../imports/pipeline.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { cnvdRecord, cveRecord, itemsOf } from '../test-support/factories.js';

describe.each(testBackends())('advisories in the CSAF provider on %s', (backend) => {
  let d: Database;
  let platform: Platform;
  beforeAll(async () => {
    d = await freshDatabase(backend);
    await importItems(d, itemsOf([cnvdRecord('CNVD-2023-00001'), cveRecord('CVE-2023-0002')]), {
      format: 'test',
      paths: [],
    });
    platform = createPlatform(d, completeConfig({ publicUrl: 'https://vulnshare.example.org' }));
  }, 120_000);
  afterAll(async () => {
    await platform.close();
    await d.close();
  });

  it('lists a published TLP:WHITE advisory in index.txt and changes.csv and serves it; drafts and TLP:GREEN stay out', async () => {
    const { advisories, csafProvider: provider } = platform;
    const white = await advisories.create(CLI, {
      titleEn: 'Tenda routers',
      vulnerabilityIds: ['CNVD-2023-00001', 'CVE-2023-0002'],
    });
    const green = await advisories.create(CLI, {
      titleEn: 'members only',
      tlp: 'GREEN',
      vulnerabilityIds: ['CNVD-2023-00001'],
    });
    const draft = await advisories.create(CLI, { titleEn: 'draft', vulnerabilityIds: ['CVE-2023-0002'] });
    const before = await provider.indexTxt(ANONYMOUS, 'white');
    expect(before).not.toMatch(/vs-sa-/);

    const published = await advisories.publish(CLI, white.id);
    await advisories.publish(CLI, green.id);
    const year = String(new Date().getUTCFullYear());
    const path = `${year}/${(published.publicId ?? '').toLowerCase()}.json`;
    const index = await provider.indexTxt(ANONYMOUS, 'white');
    expect(index.split('\n')).toContain(path);
    expect(index).toContain('2023/cnvd-2023-00001.json'); // the records stay listed
    expect(index.match(/vs-sa-/g)).toHaveLength(1); // not the GREEN one, not the draft
    expect(await provider.changesCsv(ANONYMOUS, 'white')).toContain(`"${path}",`);
    expect(await provider.indexTxt(CLI, 'green')).not.toMatch(/vs-sa-/);
    expect(draft.status).toBe('draft');

    const served = await provider.file(ANONYMOUS, 'white', year, path.slice(5));
    const doc = JSON.parse(String(served.body)) as { document: { tracking: { id: string } } };
    expect(doc.document.tracking.id).toBe(published.publicId);
    expect((await validateCsaf(doc, { strict: true })).errors.map(describeProblem)).toEqual([]);
    const sha = await provider.file(ANONYMOUS, 'white', year, `${path.slice(5)}.sha256`);
    expect(String(sha.body)).toMatch(new RegExp(`^[0-9a-f]{64}  ${path.slice(5)}\\n$`));
    await expect(provider.file(ANONYMOUS, 'white', year, 'vs-sa-1999-0001.json')).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
