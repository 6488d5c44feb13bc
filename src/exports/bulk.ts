/**
 * Bulk exports for mirrors: every record (or a search's) in one format, written entry by entry into a folder
 * (or, through an EntrySink, an archive). Memory stays flat in corpus size: records are read a keyset page at
 * a time and each entry is written (and awaited) before the next is made.
 *
 * Layouts (the same names inside a zip):
 *   cve5      cves/<year>/<n>xxx/<CVE id>.json — cvelistV5's layout, which `vulnshare import cve5` reads
 *   osv       <OSV id>.json — OSV's all.zip layout
 *   cnvd-xml  vulnerabilitys-000001.xml, … — CNVD share XML, 1,000 records a file
 *   csaf      <tlp>/<year>/<file name>.json — CSAF 2.0 documents in a provider's directory layout (src/csaf/names.ts)
 *   csv       vulnerabilities.csv — the search CSV, every row
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import { exportCsv } from '../search/export-csv.js';
import type { SearchParams } from '../search/query.js';
import { searchVulns } from '../search/store.js';
import type { Vulnerability } from '../vulns/model.js';
import { csafBytes, csafDirectoryPath } from '../csaf/names.js';
import type { CsafDocument } from '../csaf/write.js';
import { cnvdXmlFile } from './cnvd-xml.js';
import { toOsv } from './osv.js';
import {
  countAll,
  exportPageAfter,
  exportRowsByPublicId,
  type ExportReadOptions,
  type ExportRow,
  type ExportSource,
} from './store.js';

export const BULK_FORMATS = ['cve5', 'osv', 'cnvd-xml', 'csv', 'csaf'] as const;
export type BulkFormat = (typeof BULK_FORMATS)[number];

export function parseBulkFormat(s: string): BulkFormat {
  if ((BULK_FORMATS as readonly string[]).includes(s)) return s as BulkFormat;
  throw new AppError(
    'invalid_parameter',
    `unknown export format "${s}"; use one of ${BULK_FORMATS.join(', ')}`,
    {
      parameter: 'format',
    },
  );
}

/** Where entries go: a folder, an archive. Each write resolves once the entry is handed on. */
export interface EntrySink {
  /** A whole entry, or its chunks (written as they come). */
  write(name: string, data: string | AsyncIterable<string>): Promise<void>;
  close(): Promise<void>;
}

async function writeChunks(path: string, data: string | AsyncIterable<string>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const out = createWriteStream(path);
  const closed = once(out, 'close');
  try {
    for await (const chunk of typeof data === 'string' ? [data] : data)
      if (!out.write(chunk)) await once(out, 'drain');
  } finally {
    out.end();
  }
  await closed;
}

export function directorySink(dir: string): EntrySink {
  return {
    async write(name, data) {
      await writeChunks(join(dir, ...name.split('/')), data);
    },
    close: () => Promise.resolve(),
  };
}

export interface BulkProgress {
  written: number;
  skipped: number;
  /** Records to go through, when known (every record: exact; a search: up to the search's cap). */
  total: number | null;
}

export interface BulkOptions {
  format: BulkFormat;
  /** A search's parameters; absent = every stored record, rejected ones included. */
  search?: SearchParams;
  /** Records read a page (default 500). */
  pageSize?: number;
  /** cnvd-xml: records a file (default 1,000). */
  perFile?: number;
  onProgress?: (p: BulkProgress) => void;
  /**
   * cve5: the record of one CVE id of a vulnerability (vulns/export-cve5.ts's toCve5 with the platform's
   * organisation, given by the caller).
   */
  cve5?: (
    m: { vulnerability: Vulnerability; sources: ExportSource[] },
    cveId: string,
  ) => Record<string, unknown>;
  /**
   * csaf: the documents of a page of records, null for a record that has none (src/csaf/service.ts's
   * csafDocuments with the platform as publisher, given by the caller).
   */
  csaf?: (rows: ExportRow[]) => Promise<Array<CsafDocument | null>>;
}

export interface BulkSummary extends BulkProgress {
  format: BulkFormat;
  entries: number;
  /** Why records were not written, with a count each (no CVE id for CVE JSON 5, no CNVD id…). */
  skippedWhy: Record<string, number>;
  seconds: number;
}

/** Pages of the records to export: keyset over every row, or a search's pages. */
async function* pages(db: Kysely<DB>, o: BulkOptions, read: ExportReadOptions): AsyncGenerator<ExportRow[]> {
  const size = o.pageSize ?? 500;
  if (!o.search) {
    let after = 0;
    for (;;) {
      const page = await exportPageAfter(db, after, size, read);
      if (page.length === 0) return;
      yield page;
      after = page[page.length - 1]?.rowId ?? after;
      if (page.length < size) return;
    }
  }
  let cursor: string | undefined;
  do {
    const r = await searchVulns(db, {
      ...o.search,
      facets: undefined,
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    const page = await exportRowsByPublicId(
      db,
      r.items.map((i) => i.id),
      read,
    );
    if (page.length) yield page;
    cursor = r.nextCursor ?? undefined;
  } while (cursor);
}

/** Rows in a chunk of whole CSV rows: line ends outside quotes (a quote inside a field is doubled). */
export function csvRows(chunk: string): number {
  let rows = 0;
  let quoted = false;
  for (const c of chunk) {
    if (c === '"') quoted = !quoted;
    else if (c === '\n' && !quoted) rows++;
  }
  return rows;
}

/** Every record to export, one at a time (for a single-file export: cnvd-xml to standard output). */
export async function* exportVulnerabilities(
  db: Kysely<DB>,
  search?: SearchParams,
): AsyncGenerator<Vulnerability> {
  for await (const page of pages(db, search ? { format: 'cnvd-xml', search } : { format: 'cnvd-xml' }, {}))
    for (const r of page) yield r.vulnerability;
}

/** cvelistV5's path of a CVE id: cves/2024/0xxx/CVE-2024-0204.json. */
export function cvelistPath(cveId: string): string {
  const m = /^CVE-(\d{4})-(\d+)$/.exec(cveId);
  if (!m) throw new AppError('internal', `not a CVE id: ${cveId}`);
  const n = m[2] ?? '0';
  const bucket = n.length > 3 ? `${n.slice(0, -3)}xxx` : '0xxx';
  return `cves/${m[1] ?? ''}/${bucket}/${cveId}.json`;
}

export async function exportBulk(db: Kysely<DB>, sink: EntrySink, o: BulkOptions): Promise<BulkSummary> {
  const t0 = performance.now();
  const progress: BulkProgress = {
    written: 0,
    skipped: 0,
    total: o.search ? null : await countAll(db),
  };
  const skippedWhy: Record<string, number> = {};
  const skip = (why: string) => {
    progress.skipped++;
    skippedWhy[why] = (skippedWhy[why] ?? 0) + 1;
  };
  let entries = 0;
  const tick = () => o.onProgress?.(progress);

  if (o.format === 'csv') {
    const counted = async function* () {
      let first = true;
      for await (const chunk of exportCsv(db, { ...o.search }, Number.MAX_SAFE_INTEGER)) {
        if (!first) {
          progress.written += csvRows(chunk);
          tick();
        }
        first = false;
        yield chunk;
      }
    };
    await sink.write('vulnerabilities.csv', counted());
    entries = 1;
  } else if (o.format === 'cnvd-xml') {
    const perFile = o.perFile ?? 1000;
    // records with a CNVD id, a file of perFile at a time; the file's chunks stream into the sink
    let buffered: Vulnerability[] = [];
    const flush = async () => {
      if (buffered.length === 0) return;
      const counts = { written: 0, skipped: 0 };
      entries++;
      await sink.write(
        `vulnerabilitys-${String(entries).padStart(6, '0')}.xml`,
        cnvdXmlFile(buffered, counts),
      );
      progress.written += counts.written;
      for (let i = 0; i < counts.skipped; i++) skip('no title');
      buffered = [];
      tick();
    };
    for await (const page of pages(db, o, {})) {
      for (const r of page) {
        const v = r.vulnerability;
        if (v.state !== 'published') skip('rejected (CNVD XML has no state)');
        else if (!v.aliases.some((a) => /^CNVD-\d{4}-\d{4,6}$/.test(a))) skip('no CNVD id');
        else buffered.push(v);
        if (buffered.length >= perFile) await flush();
      }
      tick();
    }
    await flush();
  } else if (o.format === 'csaf') {
    const csaf = o.csaf;
    if (!csaf) throw new AppError('internal', 'a CSAF export needs its document writer (csafDocuments)');
    for await (const page of pages(db, o, {})) {
      const docs = await csaf(page);
      for (const doc of docs) {
        if (!doc) {
          skip('rejected (no advisory)');
          continue;
        }
        await sink.write(csafDirectoryPath(doc), csafBytes(doc).toString('utf8'));
        entries++;
        progress.written++;
      }
      tick();
    }
  } else if (o.format === 'osv') {
    for await (const page of pages(db, o, { cveRaw: true })) {
      for (const r of page) {
        const rec = toOsv(r);
        await sink.write(`${String(rec.id)}.json`, `${JSON.stringify(rec, null, 2)}\n`);
        entries++;
        progress.written++;
      }
      tick();
    }
  } else {
    // one CVE record per CVE id, written from the vulnerability GET /{CVE id}/cve5 answers (a CVE cited by
    // two CNVD records is written once)
    const cve5 = o.cve5;
    if (!cve5) throw new AppError('internal', 'a CVE JSON 5 export needs its record writer (toCve5)');
    for await (const page of pages(db, o, { sources: true, ownCveIds: true })) {
      for (const r of page) {
        const cveIds = r.ownCveIds ?? [];
        if (cveIds.length === 0) {
          skip(
            r.vulnerability.aliases.some((a) => a.startsWith('CVE-'))
              ? 'CVE written from another record'
              : 'no CVE id',
          );
          continue;
        }
        for (const cveId of cveIds) {
          const rec = cve5({ vulnerability: r.vulnerability, sources: r.sources ?? [] }, cveId);
          await sink.write(cvelistPath(cveId), `${JSON.stringify(rec, null, 2)}\n`);
          entries++;
        }
        progress.written++;
      }
      tick();
    }
  }
  await sink.close();
  tick();
  return { format: o.format, ...progress, entries, skippedWhy, seconds: (performance.now() - t0) / 1000 };
}
