/**
 * Where a request's reads may go, carried through its async work (AsyncLocalStorage) to the routing Kysely
 * of ./replicas.ts.
 *
 * Read-your-writes across processes: after a request that wrote, the response carries the primary's WAL
 * position (`vs_lsn` cookie and `X-Vulnshare-Lsn` header). A later request bringing it back (the cookie, or the
 * `X-Vulnshare-Min-Lsn` header for API clients) reads from a replica only once that replica has replayed that
 * far — whichever app process answers, since the position travels with the client, not in one process.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';
import { parseLsn, type ReplicaRouter } from './replicas.js';

export interface RequestRoute {
  /** a GET / HEAD: its plain reads may go to a replica */
  mayUseReplica: boolean;
  /** the session's last write: a replica must have replayed this far */
  minLsn: bigint | null;
  /** the replica this request reads from (one per request, while it stays in rotation) */
  replica: string | null;
  /** the request wrote through the routed database */
  wrote: boolean;
  /** the node that answered its first read */
  answeredBy: string | null;
}

const storage = new AsyncLocalStorage<RequestRoute>();
const routeOf = new WeakMap<object, RequestRoute>();

export const currentRoute = (): RequestRoute | undefined => storage.getStore();

/** Run `fn` as a request with this route (tests and the bench's direct callers). */
export function withRoute<T>(route: RequestRoute, fn: () => T): T {
  return storage.run(route, fn);
}

export const LSN_COOKIE = 'vs_lsn';
const READ_METHODS = new Set(['GET', 'HEAD']);

function lsnOfCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = new RegExp(`(?:^|;\\s*)${LSN_COOKIE}=([0-9A-Fa-f]{1,8}(?:/|%2F)[0-9A-Fa-f]{1,8})`).exec(header);
  return m?.[1]?.replace('%2F', '/');
}

/** Give every request its route (before any other hook reads the database) and hand back write positions. */
export function registerRequestRoutes(app: FastifyInstance, router: ReplicaRouter): void {
  app.addHook('onRequest', (req, _reply, done) => {
    const sent = req.headers['x-vulnshare-min-lsn'];
    const minLsn = parseLsn(typeof sent === 'string' ? sent : lsnOfCookie(req.headers.cookie));
    const route: RequestRoute = {
      mayUseReplica: READ_METHODS.has(req.method),
      minLsn,
      replica: null,
      wrote: false,
      answeredBy: null,
    };
    routeOf.set(req, route);
    storage.run(route, done);
  });
  app.addHook('onSend', async (req, reply, payload) => {
    const route = routeOf.get(req);
    if (!route) return payload;
    if (route.answeredBy) void reply.header('x-vulnshare-read-from', route.answeredBy);
    if (route.wrote) {
      const lsn = await router.primaryLsn();
      if (lsn) {
        void reply.header('x-vulnshare-lsn', lsn);
        void reply.header('set-cookie', [
          ...[reply.getHeader('set-cookie') ?? []].flat().map(String),
          `${LSN_COOKIE}=${lsn}; Path=/; Max-Age=600; HttpOnly; SameSite=Lax`,
        ]);
      }
    }
    return payload;
  });
}
