/** The statements a Kysely instance runs, as it compiles them (tests and bench (c)'s query plans). */
import type {
  CompiledQuery,
  Kysely,
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import type { DB } from '../db/schema.js';

/** `db` with every statement it runs recorded; `take()` hands them over and starts a new list. */
export function capturing(db: Kysely<DB>): { db: Kysely<DB>; take: () => CompiledQuery[] } {
  let seen: CompiledQuery[] = [];
  const executor = db.getExecutor();
  const plugin: KyselyPlugin = {
    transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
      seen.push(executor.compileQuery(args.node, args.queryId));
      return args.node;
    },
    transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      return Promise.resolve(args.result);
    },
  };
  return {
    db: db.withPlugin(plugin),
    take: () => {
      const out = seen;
      seen = [];
      return out;
    },
  };
}
