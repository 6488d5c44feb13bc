/**
 * (k) federation: two real instances in this one process (the composition root and the real app on loopback,
 * as src/peers/federation.test.ts starts them) — national on the task's backend, the sector on a PGlite folder.
 *   1. national imports `count` generated published records; the sector pulls its whole change feed (one
 *      `peer sync`, page after page): seconds, records/s, pages.
 *   2. the lag of one new record: while a steady import runs on national (batches of `steadyBatch` records at
 *      `steadyPerSecond` at most), a probe record is imported there; the time from its commit to its being readable on the sector.
 *      "Commit" is when the probe's batch transaction committed (the import's onProgress, called right after).
 *      The sector pulls on its scheduler (src/peers/scheduler.ts) every `intervalMs` — the scheduled pull, no
 *      push hint (none is built yet). `probes` probes, spaced by a random part of the interval.
 */
import { rmSync } from 'node:fs';
import { sql } from 'kysely';
import { CLI } from '../src/accounts/model.js';
import { completeConfig, createPlatform, type Platform } from '../src/app/platform.js';
import { DEFAULT_PLATFORM_ORG_ID } from '../src/config/config.js';
import { openDatabase, type Database } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { buildApp } from '../src/http/app.js';
import { importItems } from '../src/imports/pipeline.js';
import { ANY_INTERNAL_TARGET } from '../src/outbound/targets.js';
import { startPeerScheduler } from '../src/peers/scheduler.js';
import type { ParseItem, SourceRecord } from '../src/vulns/model.js';

const VENDORS = ['Siemens', 'Schneider Electric', 'Huawei', 'ZTE', 'Hikvision', 'Dahua', 'Cisco', 'Rockwell'];
const CWES = ['CWE-120', 'CWE-79', 'CWE-89', 'CWE-287', 'CWE-22', 'CWE-78'];
const VECTORS = [
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N',
  'CVSS:3.1/AV:L/AC:H/PR:L/UI:R/S:U/C:L/I:L/A:N',
];

/** A published CNVD-style record of national's, numbered n. */
function record(n: number, tag: string): SourceRecord {
  const key = `CNVD-2026-${String(n).padStart(5, '0')}`;
  const vendor = VENDORS[n % VENDORS.length] ?? 'Siemens';
  return {
    source: 'cnvd',
    key,
    aliases: [key, `CVE-2026-${String(100_000 + n)}`],
    state: 'published',
    titleZh: `${vendor} 设备 ${tag} 漏洞（${key}）`,
    titleEn: `${vendor} device ${tag} vulnerability (${key})`,
    descriptionZh: `${vendor} 设备存在漏洞，攻击者可利用该漏洞执行任意代码。编号 ${n}。`,
    products: [{ vendor, product: `Device ${n % 97}`, versions: [`${n % 7}.0`] }],
    weaknesses: [{ cwe: CWES[n % CWES.length] ?? 'CWE-120' }],
    cvss: [{ vector: VECTORS[n % VECTORS.length] ?? '' }],
    kind: 'general',
    dates: { published: '2026-11-20' },
    references: [{ url: `https://example.org/advisories/${key}` }],
    credits: [],
    raw: JSON.stringify({ key, tag }),
  };
}

// eslint-disable-next-line @typescript-eslint/require-await -- an async source, like the real parsers
async function* items(from: number, to: number, tag: string): AsyncGenerator<ParseItem> {
  for (let n = from; n < to; n++)
    yield { ok: true, file: 'bench-federation', index: n, record: record(n, tag) };
}

interface Instance {
  d: Database;
  platform: Platform;
  close(): Promise<void>;
  base: string;
}

async function start(name: string, idPrefix: string, d: Database): Promise<Instance> {
  await migrate(d);
  const config = completeConfig({
    platformOrg: { orgId: DEFAULT_PLATFORM_ORG_ID, shortName: name },
    idPrefix,
    allowInternalTargets: ANY_INTERNAL_TARGET,
    logLevel: 'silent',
    rateLimitPerMinute: 1_000_000_000,
    worker: false,
  });
  const platform = createPlatform(d, config, { mailer: null });
  const app = await buildApp({ database: d, config, platform });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    d,
    platform,
    base,
    async close() {
      await app.close();
      await platform.close();
      await d.close();
    },
  };
}

const say = (line: string) => process.stderr.write(`[k] ${line}\n`);
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? 0;

export async function federationBench(opts: {
  national: Database;
  sectorDir: string;
  count: number;
  intervalMs: number;
  probes: number;
  steadyBatch: number;
  /** the steady import's pace, records/s at most (it runs slower when national cannot keep up) */
  steadyPerSecond: number;
}): Promise<Record<string, unknown>> {
  rmSync(opts.sectorDir, { recursive: true, force: true });
  const national = await start('national', 'CNVD', opts.national);
  const sector = await start('sector-a', 'ICS', await openDatabase({ dataDir: opts.sectorDir }));
  try {
    const nid = await national.platform.peers.identity(CLI);
    const sid = await sector.platform.peers.identity(CLI);
    await national.platform.peers.addPeer(CLI, { name: 'sector-a', url: sector.base, key: sid.publicKey });
    await sector.platform.peers.addPeer(CLI, { name: 'national', url: national.base, key: nid.publicKey });

    // 1. the full pull
    let t0 = performance.now();
    const imported = await importItems(national.d, items(1, opts.count + 1, 'bulk'), {
      format: 'cnvd-xml',
      paths: [],
      batchSize: 1000,
    });
    const importSeconds = (performance.now() - t0) / 1000;
    say(`national imported ${imported.imported} in ${importSeconds.toFixed(1)} s`);
    t0 = performance.now();
    const [pull] = await sector.platform.peers.sync(CLI, 'national');
    const pullSeconds = (performance.now() - t0) / 1000;
    if (!pull || pull.outcome !== 'synced') throw new Error(`full pull: ${JSON.stringify(pull)}`);
    const held = await count(sector.d);
    say(`sector pulled ${pull.applied} in ${pullSeconds.toFixed(1)} s (${pull.pages} pages)`);

    // 2. the lag of one record under a steady import on national, the sector on its scheduler
    const steadyT0 = performance.now();
    let steadyOn = true;
    let next = opts.count + 1_000;
    let steadyRecords = 0;
    const steady = (async () => {
      while (steadyOn) {
        const from = next;
        next += opts.steadyBatch;
        await importItems(national.d, items(from, from + opts.steadyBatch, 'steady'), {
          format: 'cnvd-xml',
          paths: [],
          batchSize: opts.steadyBatch,
        });
        steadyRecords += opts.steadyBatch;
        // at most steadyPerSecond; and timers and the loopback HTTP get their turn between batches (an
        // in-process PGlite answers in microtasks)
        const due = steadyT0 + (steadyRecords / opts.steadyPerSecond) * 1000;
        await sleep(Math.max(0, due - performance.now()));
      }
    })();
    const scheduler = startPeerScheduler(sector.platform.peers, { everyMs: opts.intervalMs });
    const lags: number[] = [];
    try {
      for (let p = 0; p < opts.probes; p++) {
        await sleep(opts.intervalMs * (0.5 + Math.random()));
        const n = 99_000 + p;
        // the time its batch committed (onProgress runs right after the transaction's COMMIT)
        let committed = 0;
        await importItems(national.d, items(n, n + 1, 'probe'), {
          format: 'cnvd-xml',
          paths: [],
          onProgress: () => {
            committed = performance.now();
          },
        });
        say(`probe ${p} committed (steady: ${steadyRecords})`);
        const key = `CNVD-2026-${String(n).padStart(5, '0')}`;
        while (!(await hasAlias(sector.d, key))) {
          if (performance.now() - committed > 120_000)
            throw new Error(`probe ${key}: not on the sector in 120 s`);
          await sleep(10);
        }
        lags.push(performance.now() - committed);
        say(`probe ${p}: ${Math.round(lags.at(-1) ?? 0)} ms`);
      }
    } finally {
      steadyOn = false;
      await steady;
      await scheduler.stop();
    }
    const steadySeconds = (performance.now() - steadyT0) / 1000;
    return {
      records: opts.count,
      imported: imported.imported,
      importSeconds,
      pullSeconds,
      pages: pull.pages,
      applied: pull.applied,
      sectorHolds: held,
      recordsPerSecond: Math.round(pull.applied / pullSeconds),
      lagMode: `scheduled pull every ${opts.intervalMs} ms (no push hint)`,
      intervalMs: opts.intervalMs,
      probes: lags.length,
      lagMedianMs: Math.round(median(lags)),
      lagMaxMs: Math.round(Math.max(...lags)),
      lagsMs: lags.map(Math.round),
      steadyImportTarget: opts.steadyPerSecond,
      steadyImportPerSecond: Math.round(steadyRecords / steadySeconds),
    };
  } finally {
    await sector.close();
    await national.close();
    rmSync(opts.sectorDir, { recursive: true, force: true });
  }
}

async function count(d: Database): Promise<number> {
  const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM vulnerabilities`.execute(d.db);
  return r.rows[0]?.n ?? 0;
}

async function hasAlias(d: Database, alias: string): Promise<boolean> {
  const r = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM vuln_aliases WHERE alias = ${alias}`.execute(d.db);
  return (r.rows[0]?.n ?? 0) > 0;
}
