/**
 * vulnshare pulling from a GCVE publisher, on both backends over real HTTP on loopback: one instance (a GNA)
 * serves its dump; another follows it as a `gcve` feed — the records land under their GCVE ids, a CVE id a
 * record carries joins what the follower holds under it, the publisher's own platform ids stay out (they are
 * its namespace, not ours), a second run with nothing changed imports nothing, and a dump with a bad line
 * still lands the good records.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import { completeConfig, createPlatform } from '../app/platform.js';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { IMPORT_FORMATS } from '../imports/formats.js';
import { importItems } from '../imports/pipeline.js';
import { ANY_INTERNAL_TARGET } from '../outbound/targets.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { cnvdRecord, cveRecord, itemsOf } from '../test-support/factories.js';
import { findVulnId, getVulnerability } from '../vulns/store.js';

describe.each(testBackends())('a gcve feed on %s', (backend) => {
  let publisherDb: Database;
  let followerDb: Database;
  let app: FastifyInstance;
  let base = '';
  beforeAll(async () => {
    publisherDb = await freshDatabase(backend);
    followerDb = await freshDatabase(backend);
    await importItems(
      publisherDb,
      itemsOf([
        cnvdRecord('VS-2026-00001', { source: 'vulnshare', raw: '', aliases: ['CVE-2026-1001'] }),
        cnvdRecord('VS-2026-00002', { source: 'vulnshare', raw: '' }),
        cnvdRecord('CNVD-2026-00003'),
      ]),
      { format: 'cnvd-xml', paths: [] },
    );
    // the follower holds the CVE record of the first one already
    await importItems(followerDb, itemsOf([cveRecord('CVE-2026-1001')]), { format: 'cve5', paths: [] });
    app = await buildApp({
      database: publisherDb,
      config: { publicUrl: 'http://127.0.0.1', gcveGna: 77, rateLimitPerMinute: 100_000, logLevel: 'silent' },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  }, 180_000);
  afterAll(async () => {
    await app?.close();
    await publisherDb?.close();
    await followerDb?.close();
  });

  it('imports the GNA records under their GCVE ids, joined by CVE id, once', async () => {
    const platform = createPlatform(
      followerDb,
      completeConfig({ allowInternalTargets: ANY_INTERNAL_TARGET, logLevel: 'silent' }),
    );
    try {
      const r = await platform.feeds.syncFeed(CLI, {
        format: 'gcve',
        url: `${base}/dumps/gna-77.ndjson`,
        name: 'gna-77',
      });
      expect(r.error).toBeNull();
      expect(r.counts).toMatchObject({ read: 2, imported: 2, rejected: 0 });

      // the CVE-carrying record joined the CVE the follower held: one vulnerability, both sources
      const joined = await findVulnId(followerDb.db, 'GCVE-77-2026-00001');
      const byCve = await findVulnId(followerDb.db, 'CVE-2026-1001');
      expect(joined?.id).toBe(byCve?.id);
      const v = await getVulnerability(followerDb.db, 'GCVE-77-2026-00001');
      expect(v?.vulnerability.aliases).toEqual(
        expect.arrayContaining(['CVE-2026-1001', 'GCVE-77-2026-00001']),
      );
      expect(v?.vulnerability.aliases).not.toContain('VS-2026-00001'); // the publisher's own namespace stays its own
      expect(v?.sources.map((s) => s.source).sort()).toEqual(['cve', 'gcve']);
      expect(v?.vulnerability.title.zh).toContain('Tenda AC18');
      expect(await findVulnId(followerDb.db, 'GCVE-77-2026-00002')).not.toBeNull();
      expect(await findVulnId(followerDb.db, 'CNVD-2026-00003')).toBeNull(); // not the GNA's record

      const again = await platform.feeds.syncFeed(CLI, 'gna-77');
      expect(again.error).toBeNull();
      expect(again.counts.imported + again.counts.updated).toBe(0);
    } finally {
      await platform.close();
    }
  });

  it('keeps the good lines of a dump beside a bad one, naming the bad line', async () => {
    const dump = await (await fetch(`${base}/dumps/gna-77.ndjson`)).text();
    const [first = '', second = ''] = dump.trimEnd().split('\n');
    const dir = mkdtempSync(join(tmpdir(), 'vulnshare-gcve-'));
    const file = join(dir, 'gna-77.ndjson');
    const notGcve = JSON.stringify({
      dataType: 'CVE_RECORD',
      cveMetadata: { vulnId: 'VS-1' },
      containers: {},
    });
    writeFileSync(file, `${first}\n{"half a line\n${notGcve}\n${second}\n`);
    const db = await freshDatabase(backend);
    try {
      const s = await importItems(db, IMPORT_FORMATS.gcve?.parse([file]) ?? itemsOf([]), {
        format: 'gcve',
        paths: [file],
      });
      expect(s.imported).toBe(2);
      expect(s.issues.map((i) => `${i.record ?? ''}: ${i.message}`)).toEqual([
        expect.stringMatching(/^line 2: not JSON: /),
        expect.stringMatching(/^line 3 \(VS-1\): cveMetadata\.vulnId is not a GCVE id/),
      ]);
    } finally {
      await db.close();
    }
  });
});
