/**
 * The GCVE publication (GCVE-BCP-03): the pull API's pages and the static NDJSON dump of the platform's own
 * published records, each a GCVE-BCP-05 record (./model.ts). Without a GNA id configured the platform is not
 * a GNA and both answer not_found.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import type { ExportRow } from '../exports/store.js';
import {
  PUBLICATION_LIMITS,
  toGcveRecord,
  type GcveOptions,
  type GcveRecord,
  type PublicationQuery,
} from './model.js';
import { dumpPageAfter, publicationPage } from './store.js';

export interface GcveDeps {
  db: Kysely<DB>;
  org: GcveOptions['org'];
  prefix: string;
  publicUrl: string;
  gna: number | undefined;
}

const DUMP_PAGE = 500;

export function createGcvePublication(deps: GcveDeps) {
  const { db, prefix } = deps;
  const options = (): GcveOptions => {
    if (deps.gna === undefined)
      throw new AppError(
        'not_found',
        'This platform is not a GCVE Numbering Authority: no GNA id is configured (VULNSHARE_GCVE_GNA)',
        { reason: 'no_gna' },
      );
    return { org: deps.org, gna: deps.gna, prefix, publicUrl: deps.publicUrl };
  };
  const recordOf = (row: ExportRow, o: GcveOptions) =>
    toGcveRecord(
      row.vulnerability,
      (row.sources ?? []).map((s) => ({ ...s })),
      { createdAt: row.createdAt, modifiedAt: row.modifiedAt },
      o,
    );

  return {
    /** The GNA id, or undefined when the platform is not a GNA. */
    gna: deps.gna,

    /** One page of /api/gcve/publication: a bare JSON array of records, as BCP-03 answers. */
    async publication(q: Partial<PublicationQuery>): Promise<GcveRecord[]> {
      const o = options();
      const perPage = Math.min(
        Math.max(1, q.perPage ?? PUBLICATION_LIMITS.defaultPerPage),
        PUBLICATION_LIMITS.maxPerPage,
      );
      let since: string | null = null;
      if (q.since) {
        const t = new Date(/^\d{4}-\d{2}-\d{2}$/.test(q.since) ? `${q.since}T00:00:00Z` : q.since);
        if (Number.isNaN(t.getTime()))
          throw new AppError(
            'invalid_parameter',
            `since must be a date or an RFC 3339 instant (got "${q.since}")`,
            {
              parameter: 'since',
            },
          );
        since = t.toISOString();
      }
      const rows = await publicationPage(db, prefix, {
        page: Math.max(1, q.page ?? 1),
        perPage,
        dateSort: q.dateSort ?? 'updated',
        sortOrder: q.sortOrder ?? 'desc',
        since,
      });
      return rows.flatMap((r) => {
        const rec = recordOf(r, o);
        return rec ? [rec] : [];
      });
    },

    /** The dump's name (`gna-<id>.ndjson`) check and its lines, a page of rows at a time (memory: one page). */
    async *dump(gna: number): AsyncGenerator<string> {
      const o = options();
      if (gna !== o.gna)
        throw new AppError('not_found', `This platform publishes the dump of GNA ${o.gna}, not ${gna}`, {
          gna,
        });
      let after = 0;
      for (;;) {
        const rows = await dumpPageAfter(db, prefix, after, DUMP_PAGE);
        if (rows.length === 0) return;
        after = rows.at(-1)?.rowId ?? after;
        yield rows
          .flatMap((r) => {
            const rec = recordOf(r, o);
            return rec ? [`${JSON.stringify(rec)}\n`] : [];
          })
          .join('');
        if (rows.length < DUMP_PAGE) return;
      }
    },
  };
}

export type GcvePublication = ReturnType<typeof createGcvePublication>;
