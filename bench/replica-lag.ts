/**
 * (j) Replica lag during a large import: the import runs (its own process, as bench (b) runs it) into the primary
 * while a hot standby replays; every second the replay lag is sampled in bytes (pg_wal_lsn_diff of the primary's
 * current position and the replica's replayed one) and in seconds (now() − pg_last_xact_replay_timestamp() on
 * the replica, while changes flow). Reported: max, p95 and the value at the end of the import, the time the
 * replica took to catch up after it, and the import's own rate beside them, with the machine's load average.
 */
import { loadavg } from 'node:os';
import pg from 'pg';

export interface LagSample {
  atS: number;
  bytes: number;
  seconds: number | null;
  /** the primary's WAL position in bytes (changes flow while it moves) */
  head: number;
}

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0) : 0;
};

export async function replicaLag<R>(opts: {
  primaryUrl: string;
  replicaUrl: string;
  runImport: () => Promise<R>;
}): Promise<Record<string, unknown>> {
  const primary = new pg.Client({ connectionString: opts.primaryUrl });
  const replica = new pg.Client({ connectionString: opts.replicaUrl });
  await primary.connect();
  await replica.connect();
  const samples: LagSample[] = [];
  const loads: number[] = [];
  const t0 = performance.now();
  async function sample(): Promise<LagSample> {
    const r = await replica.query<{ lsn: string | null; s: number | null }>(
      `SELECT pg_last_wal_replay_lsn()::text AS lsn,
              extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 AS s`,
    );
    const p = await primary.query<{ b: string | null; h: string }>(
      `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::text AS b,
              pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text AS h`,
      [r.rows[0]?.lsn ?? '0/0'],
    );
    return {
      atS: Math.round((performance.now() - t0) / 100) / 10,
      bytes: Math.max(0, Number(p.rows[0]?.b ?? 0)),
      seconds: r.rows[0]?.s ?? null,
      head: Number(p.rows[0]?.h ?? 0),
    };
  }
  let importing = true;
  const sampler = (async () => {
    while (importing) {
      samples.push(await sample());
      loads.push(loadavg()[0] ?? 0);
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  let result: R;
  try {
    result = await opts.runImport();
  } finally {
    importing = false;
    await sampler;
  }
  const importSeconds = (performance.now() - t0) / 1000;
  const atEnd = await sample();
  // the time until the replica has replayed everything the import wrote
  const caughtUpStart = performance.now();
  for (let s = atEnd; s.bytes > 0; s = await sample()) await new Promise((r) => setTimeout(r, 200));
  const catchUpSeconds = (performance.now() - caughtUpStart) / 1000;
  await primary.end();
  await replica.end();
  // seconds only while changes flow (the primary wrote more than 64 KiB of WAL since the sample before): the
  // replay timestamp is that of the last transaction replayed, so on an idle primary it only says how long ago
  // the last commit was
  const flowing = samples
    .filter((s, i) => i > 0 && s.seconds !== null && s.head - (samples[i - 1]?.head ?? s.head) > 65_536)
    .map((s) => s.seconds ?? 0);
  const bytes = samples.map((s) => s.bytes);
  const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
  return {
    import: result,
    importSeconds: round(importSeconds, 1),
    samples: samples.length,
    lagBytesMax: Math.max(0, ...bytes),
    lagBytesP95: q(bytes, 0.95),
    lagBytesAtEnd: atEnd.bytes,
    lagSecondsMax: round(Math.max(0, ...flowing)),
    lagSecondsP95: round(q(flowing, 0.95)),
    lagSecondsAtEnd: atEnd.bytes > 0 ? round(atEnd.seconds ?? 0) : 0,
    catchUpSeconds: round(catchUpSeconds, 1),
    loadAverage: { min: round(Math.min(...loads)), max: round(Math.max(...loads)) },
    flowingSamples: flowing.length,
    series: samples
      .filter((_, i) => i % 10 === 0)
      .map((s) => ({ atS: s.atS, bytes: s.bytes, seconds: s.seconds })),
  };
}
