/**
 * Bench (c)'s query plans: the SQL a search runs, captured as Kysely compiles it, and EXPLAIN ANALYZE of each
 * statement — printed for the slowest queries, so a slow class shows its plan beside its figure.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { DB } from '../src/db/schema.js';

export { capturing } from '../src/test-support/capture.js';

/** EXPLAIN (ANALYZE, BUFFERS) of each read statement, its plan as text (at most `lines` lines each). */
export async function explain(db: Kysely<DB>, queries: CompiledQuery[], lines = 40): Promise<string[]> {
  const plans: string[] = [];
  for (const q of queries) {
    if (!/^\s*(select|with)\b/i.test(q.sql)) continue;
    const r = await db.executeQuery<{ 'QUERY PLAN': string }>(
      CompiledQuery.raw(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, [...q.parameters]),
    );
    const text = r.rows.map((x) => x['QUERY PLAN']);
    plans.push([q.sql.replace(/\s+/g, ' ').slice(0, 300), ...text.slice(0, lines)].join('\n'));
  }
  return plans;
}
