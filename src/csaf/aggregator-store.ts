/**
 * What a feed following a CSAF provider remembers between runs (migration 0020): the listings it read (with
 * their validators, so a 304 reuses the body) and, per document URL, the listed timestamp, the outcome and the
 * sha256 of the bytes. Written by `saveProviderState` inside the transaction that ends the feed's run.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import type { DocumentOutcome, KnownDocument } from './aggregator.js';

type CsafFeedListingsTable = {
  feed_name: string;
  url: string;
  etag: string | null;
  last_modified: string | null;
  body: string;
  fetched_at: string;
};

type CsafFeedDocumentsTable = {
  feed_name: string;
  url: string;
  listed_at: string;
  outcome: DocumentOutcome;
  reason: string | null;
  sha256: string | null;
  tracking_id: string | null;
  version: string | null;
  checked_at: string;
};

type AggregatorTables = {
  csaf_feed_listings: CsafFeedListingsTable;
  csaf_feed_documents: CsafFeedDocumentsTable;
};

type Tx = Kysely<DB> | Transaction<DB>;
const tables = (db: Tx) => db.withTables<AggregatorTables>();

export interface CachedListing {
  url: string;
  etag: string | null;
  lastModified: string | null;
  body: string;
}

export interface DocumentState {
  url: string;
  listedAt: string;
  outcome: DocumentOutcome;
  reason: string | null;
  sha256: string | null;
  trackingId: string | null;
  version: string | null;
}

export async function listingsOf(db: Tx, feed: string): Promise<Map<string, CachedListing>> {
  const rows = await tables(db)
    .selectFrom('csaf_feed_listings')
    .select(['url', 'etag', 'last_modified', 'body'])
    .where('feed_name', '=', feed)
    .execute();
  return new Map(
    rows.map((r) => [r.url, { url: r.url, etag: r.etag, lastModified: r.last_modified, body: r.body }]),
  );
}

export async function knownDocuments(db: Tx, feed: string): Promise<Map<string, KnownDocument>> {
  const rows = await tables(db)
    .selectFrom('csaf_feed_documents')
    .select(['url', 'listed_at', 'outcome'])
    .where('feed_name', '=', feed)
    .execute();
  return new Map(rows.map((r) => [r.url, { listedAt: r.listed_at, outcome: r.outcome }]));
}

/** The documents of a feed with their outcome (newest check first), for status and tests. */
export async function documentStates(db: Tx, feed: string): Promise<DocumentState[]> {
  const rows = await tables(db)
    .selectFrom('csaf_feed_documents')
    .selectAll()
    .where('feed_name', '=', feed)
    .orderBy('checked_at', 'desc')
    .orderBy('url')
    .execute();
  return rows.map((r) => ({
    url: r.url,
    listedAt: r.listed_at,
    outcome: r.outcome,
    reason: r.reason,
    sha256: r.sha256,
    trackingId: r.tracking_id,
    version: r.version,
  }));
}

const CHUNK = 500;

/** Upsert the listings and document states one run saw (the caller's transaction). */
export async function saveProviderState(
  tx: Tx,
  feed: string,
  at: string,
  listings: CachedListing[],
  documents: DocumentState[],
): Promise<void> {
  const t = tables(tx);
  for (let i = 0; i < listings.length; i += CHUNK)
    await t
      .insertInto('csaf_feed_listings')
      .values(
        listings.slice(i, i + CHUNK).map((l) => ({
          feed_name: feed,
          url: l.url,
          etag: l.etag,
          last_modified: l.lastModified,
          body: l.body,
          fetched_at: at,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['feed_name', 'url']).doUpdateSet((eb) => ({
          etag: eb.ref('excluded.etag'),
          last_modified: eb.ref('excluded.last_modified'),
          body: eb.ref('excluded.body'),
          fetched_at: eb.ref('excluded.fetched_at'),
        })),
      )
      .execute();
  for (let i = 0; i < documents.length; i += CHUNK)
    await t
      .insertInto('csaf_feed_documents')
      .values(
        documents.slice(i, i + CHUNK).map((d) => ({
          feed_name: feed,
          url: d.url,
          listed_at: d.listedAt,
          outcome: d.outcome,
          reason: d.reason,
          sha256: d.sha256,
          tracking_id: d.trackingId,
          version: d.version,
          checked_at: at,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['feed_name', 'url']).doUpdateSet((eb) => ({
          listed_at: eb.ref('excluded.listed_at'),
          outcome: eb.ref('excluded.outcome'),
          reason: eb.ref('excluded.reason'),
          sha256: eb.ref('excluded.sha256'),
          tracking_id: eb.ref('excluded.tracking_id'),
          version: eb.ref('excluded.version'),
          checked_at: eb.ref('excluded.checked_at'),
        })),
      )
      .execute();
}

/** Providers followed by a feed that has run successfully, with the metadata that run read (for aggregator.json). */
export async function followedProviders(db: Tx): Promise<Array<{ url: string; metadata: string }>> {
  const rows = await tables(db)
    .selectFrom('feeds')
    .innerJoin('csaf_feed_listings as l', (j) =>
      j.onRef('l.feed_name', '=', 'feeds.name').onRef('l.url', '=', 'feeds.url'),
    )
    .select(['feeds.url', 'l.body'])
    .where('feeds.format', '=', 'csaf-provider')
    .where('feeds.last_success_at', 'is not', null)
    .orderBy('feeds.url')
    .execute();
  const seen = new Set<string>();
  return rows.flatMap((r) => (seen.has(r.url) ? [] : (seen.add(r.url), [{ url: r.url, metadata: r.body }])));
}
