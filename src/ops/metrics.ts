/**
 * `/metrics` in Prometheus' text format (prom-client): request latency by route, the database pools, replica
 * lag and rotation, reads per node, outbox depth and import activity. One registry per app, so tests can
 * build several apps in one process; the database figures are read when Prometheus scrapes.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { getHeapStatistics } from 'node:v8';
import client from 'prom-client';
import type { DB } from '../db/schema.js';
import type { ReplicaRouter } from './replicas.js';
import { importActivity, outboxDepth } from './store.js';

export interface MetricsDeps {
  /** the primary: outbox depth and import runs are read there */
  db: Kysely<DB>;
  router: ReplicaRouter | null;
}

export function createMetrics(deps: MetricsDeps) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'vulnshare_' });
  const latency = new client.Histogram({
    name: 'vulnshare_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new client.Gauge({
    name: 'vulnshare_nodejs_heap_size_limit_bytes',
    help: "V8's heap limit of this process (bin/vulnshare.js sets it against a PostgreSQL server)",
    registers: [registry],
    collect() {
      this.set(getHeapStatistics().heap_size_limit);
    },
  });
  const router = deps.router;
  new client.Gauge({
    name: 'vulnshare_replica_lag_bytes',
    help: 'WAL bytes a read replica has still to replay (last measurement)',
    labelNames: ['replica'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const r of router?.status() ?? [])
        if (r.lagBytes !== null) this.set({ replica: r.name }, r.lagBytes);
    },
  });
  new client.Gauge({
    name: 'vulnshare_replica_in_rotation',
    help: '1 when the replica takes reads, 0 when it is out of rotation (down or too far behind)',
    labelNames: ['replica'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const r of router?.status() ?? []) this.set({ replica: r.name }, r.inRotation ? 1 : 0);
    },
  });
  new client.Gauge({
    name: 'vulnshare_db_reads_total',
    help: 'Reads of requests answered by each database node since start',
    labelNames: ['node'] as const,
    registers: [registry],
    collect() {
      for (const [node, n] of router?.reads ?? []) this.set({ node }, n);
    },
  });
  new client.Gauge({
    name: 'vulnshare_db_pool_connections',
    help: 'Connections of each database pool, by state',
    labelNames: ['pool', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const p of router?.pools() ?? []) {
        this.set({ pool: p.name, state: 'total' }, p.total);
        this.set({ pool: p.name, state: 'idle' }, p.idle);
        this.set({ pool: p.name, state: 'waiting' }, p.waiting);
      }
    },
  });
  new client.Gauge({
    name: 'vulnshare_outbox_depth',
    help: 'Outbox messages not yet sent nor given up',
    registers: [registry],
    async collect() {
      this.set(await outboxDepth(deps.db));
    },
  });
  new client.Gauge({
    name: 'vulnshare_import_runs_running',
    help: 'Import runs started in the last day and not finished',
    registers: [registry],
    async collect() {
      this.set((await importActivity(deps.db, 15 * 60_000)).running);
    },
  });
  new client.Gauge({
    name: 'vulnshare_import_records_per_second',
    help: 'Records read by import runs finished in the last 15 minutes, per second',
    registers: [registry],
    async collect() {
      this.set((await importActivity(deps.db, 15 * 60_000)).records / 900);
    },
  });
  return { registry, latency };
}

/** Time every request by its route pattern, and serve the registry at GET /metrics. */
export function registerMetrics(app: FastifyInstance, deps: MetricsDeps): void {
  const { registry, latency } = createMetrics(deps);
  app.addHook('onResponse', async (req, reply) => {
    latency.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    void reply.type(registry.contentType);
    return registry.metrics();
  });
}
