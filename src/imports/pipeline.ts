/**
 * The import pipeline: parsed items → prepared records → batches written in one transaction each.
 * Unchanged records (same hash) are skipped, so importing the same input twice changes nothing.
 * A batch that fails in the database is retried record by record, so one bad record is rejected
 * with a located error and its neighbours still land; nothing is half-written.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/client.js';
import type { DB } from '../db/schema.js';
import { diffVulnerability, mergeVulnerability } from '../vulns/merge.js';
import {
  SOURCE_KINDS,
  type ImportIssue,
  type ParseItem,
  type PreparedRecord,
  type SourceRecord,
  type Vulnerability,
} from '../vulns/model.js';
import { vulnRow, type VulnRowColumns } from '../vulns/row.js';
import { watchImports, type ImportWatch, type WrittenVuln } from '../watchlists/alerts.js';
import { IDENTITY_SOURCES, planLinks, type StoreSnapshot } from './linking.js';
import type { PreparedItem } from './parallel.js';
import { prepareRecord, type Prepared } from './prepare.js';
import * as store from './store.js';

export interface ImportCounts {
  read: number;
  imported: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** vulnerabilities created / changed as a result (a CVE enriching two CNVD records changes two). */
  vulnerabilitiesCreated: number;
  vulnerabilitiesChanged: number;
}

export interface ImportSummary extends ImportCounts {
  format: string;
  issues: ImportIssue[];
  warnings: ImportIssue[];
  durationMs: number;
  runId: number;
}

export interface ImportOptions {
  format: string;
  paths: string[];
  batchSize?: number;
  onProgress?: (counts: ImportCounts) => void;
}

interface BatchItem extends Prepared {
  file: string;
  /**
   * The vulnerability this record makes on its own (merged, and its row), built ahead while the previous batch
   * waits on the database (see Speculator); writeBatch uses it when the record is its vulnerability's only one.
   */
  solo?: { doc: Vulnerability; row: VulnRowColumns };
}

/**
 * Builds the records' stand-alone vulnerabilities (merge and row: the largest part of the writer's own work)
 * for the batch being gathered, a millisecond's worth at a time between the event loop's other work, so that
 * the main thread does it while it would otherwise wait for the previous batch's statements. A fresh import
 * makes most vulnerabilities from one record; a record that joins others costs its stand-alone row in vain.
 */
class Speculator {
  private queue: BatchItem[] = [];
  private at = 0;
  private scheduled = false;
  /**
   * Off while the last batch written changed fewer than half of its records: a re-import of unchanged records
   * (a daily full feed) would build every row in vain, where an unchanged record costs only its hash's compare.
   */
  enabled = true;

  add(item: BatchItem): void {
    if (!this.enabled) return;
    this.queue.push(item);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.pump());
    }
  }

  /** The batch these items belong to is being written: what is not built yet, writeBatch builds itself. */
  clear(): void {
    this.queue = [];
    this.at = 0;
  }

  private pump(): void {
    this.scheduled = false;
    const until = performance.now() + 1;
    while (this.at < this.queue.length && performance.now() < until) {
      const item = this.queue[this.at++];
      if (!item || item.solo) continue;
      try {
        const doc = mergeVulnerability([item.prepared]);
        item.solo = { doc, row: vulnRow(doc) };
      } catch {
        // writeBatch meets the same failure where it can report it
      }
    }
    if (this.at < this.queue.length) {
      this.scheduled = true;
      setImmediate(() => this.pump());
    }
  }
}

type Tx = Transaction<DB> | Kysely<DB>;

/** Records written per transaction unless the caller says otherwise. */
export const DEFAULT_BATCH_SIZE = 1_000;

/** Vulnerabilities whose rows one INSERT of a batch writes (see writeBatch). */
const WRITE_CHUNK = 250;

/** Sources that only enrich a vulnerability defined by an identity source (CVE, KEV, CSAF…). */
const ENRICHMENT_SOURCES: string[] = SOURCE_KINDS.filter((s) => !IDENTITY_SOURCES.has(s));

export async function importItems(
  database: Database,
  items: AsyncIterable<ParseItem | PreparedItem>,
  opts: ImportOptions,
): Promise<ImportSummary> {
  const started = performance.now();
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  const counts: ImportCounts = {
    read: 0,
    imported: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    vulnerabilitiesCreated: 0,
    vulnerabilitiesChanged: 0,
  };
  const issues: ImportIssue[] = [];
  const warnings: ImportIssue[] = [];
  const runId = await store.startImportRun(database.db, opts.format, opts.paths);
  const watch = await watchImports(database.db); // watchlist alerts, raised in each batch's transaction
  let batch: BatchItem[] = [];
  let inFlight: Promise<void> = Promise.resolve();
  const ahead = new Speculator();

  const flush = async () => {
    if (batch.length === 0) return;
    const b = batch;
    batch = [];
    ahead.clear();
    try {
      const c = await database.db.transaction().execute((tx) => writeBatch(tx, b, watch));
      addCounts(counts, c);
      ahead.enabled = (c.imported ?? 0) + (c.updated ?? 0) >= b.length / 2;
    } catch {
      // Retry one by one: the record that fails is rejected with the database's reason.
      for (const item of b) {
        try {
          const c = await database.db.transaction().execute((tx) => writeBatch(tx, [item], watch));
          addCounts(counts, c);
        } catch (e) {
          counts.rejected++;
          issues.push({
            file: item.file,
            record: item.prepared.key,
            message: `not stored: ${e instanceof Error ? e.message : String(e)}`,
          });
        }
      }
    }
    opts.onProgress?.(counts);
  };

  for await (const item of items) {
    if (!item.ok) {
      counts.rejected++;
      if (item.index !== undefined) counts.read++;
      issues.push(item.issue);
      continue;
    }
    counts.read++;
    let p: Prepared;
    try {
      // records parsed in a worker thread come prepared (./parallel.ts)
      p = 'prepared' in item ? item.prepared : prepareRecord(item.record, item.file);
    } catch (e) {
      counts.rejected++;
      issues.push({
        file: item.file,
        record: 'prepared' in item ? item.prepared.prepared.key : item.record.key,
        message: e instanceof Error ? e.message : String(e),
      });
      continue;
    }
    if (item.warnings) warnings.push(...item.warnings);
    warnings.push(...p.warnings);
    const entry: BatchItem = { ...p, file: item.file };
    batch.push(entry);
    ahead.add(entry);
    if (batch.length >= batchSize) {
      // Write this batch while the next one is read and prepared: the database works (in the PostgreSQL
      // server's process) while this one parses. Batches still commit one after another, in order.
      await inFlight;
      inFlight = flush();
      inFlight.catch(() => undefined); // surfaced by the next await, not as an unhandled rejection
    }
  }
  await inFlight;
  await flush();
  const analyzed = await store.analyzeDue(database.db, counts.imported + counts.updated);
  // the embedded database has no autovacuum: the import vacuums what it changed as well
  if (analyzed) await store.analyzeTables(database.db, { vacuum: database.kind === 'pglite' });
  const summary: ImportSummary = {
    format: opts.format,
    ...counts,
    issues,
    warnings,
    durationMs: Math.round(performance.now() - started),
    runId,
  };
  const runCounts = { ...counts, durationMs: summary.durationMs, ...(analyzed ? { analyzed: true } : {}) };
  await store.finishImportRun(database.db, runId, runCounts, [...issues, ...warnings]);
  return summary;
}

/**
 * Write a few records inside the caller's transaction (publication from the pipeline: the record appears in
 * the store in the same transaction as the state change that publishes it).
 */
export async function writeRecordsIn(
  tx: Tx,
  records: SourceRecord[],
  file: string,
): Promise<Partial<ImportCounts>> {
  return writeBatch(
    tx,
    records.map((r) => ({ ...prepareRecord(r, file), file })),
  );
}

function addCounts(into: ImportCounts, c: Partial<ImportCounts>) {
  for (const k of Object.keys(c) as Array<keyof ImportCounts>) into[k] += c[k] ?? 0;
}

async function writeBatch(tx: Tx, input: BatchItem[], watch?: ImportWatch): Promise<Partial<ImportCounts>> {
  await store.lockImports(tx);
  // Last occurrence of a key in the batch wins.
  const byKey = new Map<string, BatchItem>();
  for (const it of input) byKey.set(`${it.prepared.source}:${it.prepared.key}`, it);
  const items = Array.from(byKey.values());
  const existing = new Map(
    (
      await store.findSourceRows(
        tx,
        items.map((i) => ({ source: i.prepared.source, key: i.prepared.key })),
      )
    ).map((r) => [`${r.source}:${r.key}`, r]),
  );
  const changed = items.filter(
    (i) => existing.get(`${i.prepared.source}:${i.prepared.key}`)?.hash !== i.hash,
  );
  const result: Partial<ImportCounts> = {
    unchanged: items.length - changed.length + (input.length - items.length),
    imported: changed.filter((i) => !existing.has(`${i.prepared.source}:${i.prepared.key}`)).length,
  };
  result.updated = changed.length - (result.imported ?? 0);
  if (changed.length === 0) return result;

  const ids = await store.upsertSourceRows(
    tx,
    changed.map((i) => ({
      source: i.prepared.source,
      key: i.prepared.key,
      state: i.prepared.state,
      hash: i.hash,
      recordJson: i.json,
      anchor: i.prepared.anchor ?? null,
      raw: i.raw,
      file: i.file,
    })),
  );
  const srIdOf = (i: BatchItem) => ids.get(`${i.prepared.source}:${i.prepared.key}`) ?? -1;
  const bySrId = new Map<number, PreparedRecord>(changed.map((i) => [srIdOf(i), i.prepared]));
  const soloOf = new Map<PreparedRecord, NonNullable<BatchItem['solo']>>();
  for (const i of changed) if (i.solo) soloOf.set(i.prepared, i.solo);

  // Snapshot of what the plan needs to know.
  const snap: StoreSnapshot = {
    aliasToVulns: new Map(),
    identityOf: new Map(),
    linksOf: new Map(),
    enrichmentByKey: new Map(),
  };
  const wereStored = changed
    .filter((i) => existing.has(`${i.prepared.source}:${i.prepared.key}`))
    .map(srIdOf);
  for (const l of await store.findLinksOfSources(tx, wereStored)) {
    snap.linksOf.set(l.source_record_id, [...(snap.linksOf.get(l.source_record_id) ?? []), l.vuln_id]);
  }
  const aliases = Array.from(new Set(changed.flatMap((i) => i.prepared.aliases)));
  for (const a of await store.findVulnsByAliases(tx, aliases)) {
    snap.aliasToVulns.set(a.alias, [...(snap.aliasToVulns.get(a.alias) ?? []), a.vuln_id]);
    snap.identityOf.set(a.vuln_id, a.identity);
  }
  const linkedVulns = Array.from(new Set(Array.from(snap.linksOf.values()).flat())).filter(
    (v) => !snap.identityOf.has(v),
  );
  for (const [v, ident] of await store.findIdentities(tx, linkedVulns)) snap.identityOf.set(v, ident);
  const identityAliases = Array.from(
    new Set(
      changed.filter((i) => IDENTITY_SOURCES.has(i.prepared.source)).flatMap((i) => i.prepared.aliases),
    ),
  );
  for (const e of await store.findEnrichmentByKeys(tx, identityAliases, ENRICHMENT_SOURCES)) {
    snap.enrichmentByKey.set(e.key, [...(snap.enrichmentByKey.get(e.key) ?? []), e.id]);
  }

  const newIds = await store.allocateVulnIds(tx, changed.length);
  let next = 0;
  const plan = planLinks(
    changed.map((i) => ({
      srId: srIdOf(i),
      source: i.prepared.source,
      key: i.prepared.key,
      aliases: i.prepared.aliases,
      ...(i.prepared.anchor ? { anchor: i.prepared.anchor } : {}),
    })),
    snap,
    () => {
      const id = newIds[next++];
      if (id === undefined) throw new Error('vulnerability id pool exhausted');
      return id;
    },
  );
  const history: store.HistoryWrite[] = [];
  await watch?.absorbed(tx, plan.absorbed);
  for (const [from, into] of plan.absorbed) {
    await store.absorbVuln(tx, from, into);
    history.push({
      vuln_id: into,
      change: 'merged',
      source: null,
      source_key: null,
      fields: { absorbed: from },
    });
  }
  await store.insertLinks(tx, plan.links);

  // Recompute every affected vulnerability from all of its source records.
  const affected = Array.from(plan.affected);
  const existingAffected = affected.filter((v) => !plan.created.has(v));
  const members = new Map<number, Set<number>>(affected.map((v) => [v, new Set<number>()]));
  for (const l of await store.findSourcesOfVulns(tx, existingAffected))
    members.get(l.vuln_id)?.add(l.source_record_id);
  const trigger = new Map<number, PreparedRecord>();
  for (const l of plan.links) {
    members.get(l.vulnId)?.add(l.srId);
    const rec = bySrId.get(l.srId);
    if (rec && !trigger.has(l.vulnId)) trigger.set(l.vulnId, rec);
  }
  // Vulnerabilities touched only because a linked record changed in place (no new link).
  for (const i of changed) {
    for (const v of snap.linksOf.get(srIdOf(i)) ?? []) if (!trigger.has(v)) trigger.set(v, i.prepared);
  }
  const missing = Array.from(new Set(Array.from(members.values()).flatMap((s) => Array.from(s)))).filter(
    (id) => !bySrId.has(id),
  );
  const loaded = await store.loadPreparedRecords(tx, missing);
  const oldDocs = await store.loadVulnDocs(tx, existingAffected);

  const written: WrittenVuln[] = [];
  let created = 0;
  let changedVulns = 0;
  // The rows are built a chunk at a time, and each chunk's INSERT runs in the server while this thread builds
  // the next chunk's rows (merging the records and building the search vector are most of the writer's own
  // work): the two had run one after the other.
  let writing: Promise<void> = Promise.resolve();
  for (let at = 0; at < affected.length; at += WRITE_CHUNK) {
    const writes: store.VulnWrite[] = [];
    for (const v of affected.slice(at, at + WRITE_CHUNK)) {
      const recs = Array.from(members.get(v) ?? [])
        .map((id) => bySrId.get(id) ?? loaded.get(id))
        .filter((r): r is PreparedRecord => r !== undefined);
      if (recs.length === 0) continue;
      const solo = recs.length === 1 && recs[0] ? soloOf.get(recs[0]) : undefined;
      const doc = solo?.doc ?? mergeVulnerability(recs);
      const row = solo?.row ?? vulnRow(doc);
      const old = oldDocs.get(v);
      if (old && old.doc_hash === row.doc_hash) continue;
      const isNew = plan.created.has(v);
      written.push({ id: v, doc, created: isNew, before: old?.doc });
      writes.push({ ...row, id: v, identity: plan.created.get(v) ?? plan.identities.get(v) ?? null });
      const t = trigger.get(v);
      history.push({
        vuln_id: v,
        change: isNew ? 'created' : 'updated',
        source: t?.source ?? null,
        source_key: t?.key ?? null,
        fields: isNew ? {} : diffVulnerability((old?.doc ?? null) as Vulnerability | null, doc),
      });
      if (isNew) created++;
      else changedVulns++;
    }
    await writing;
    writing = store.writeVulns(tx, writes, plan.created);
    writing.catch(() => undefined); // surfaced by the next await, not as an unhandled rejection
    // let the statement leave (the driver sends it from callbacks queued behind this loop) before the next chunk
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await writing;
  await store.insertHistory(tx, history);
  await watch?.written(tx, written);
  result.vulnerabilitiesCreated = created;
  result.vulnerabilitiesChanged = changedVulns;
  return result;
}
