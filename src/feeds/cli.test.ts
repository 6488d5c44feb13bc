/**
 * The feed commands, run in-process against a PGlite data folder and a local HTTP server. Once
 * src/cli/main.ts registers them, the test runs them through `main` (as bin/vulnshare.js does); until then
 * through a program built like main's (global --data / --database-url, its output streams, its exit codes).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main.js';
import type { Feed, FeedRun } from './model.js';
import type { SyncResult } from './run.js';
import { kevCatalogue } from '../test-support/kev.js';
import { etagOf, serve, startFeedServer, status, type FeedServer } from '../test-support/feed-server.js';

const sink = () => {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => text };
};

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = sink();
  const err = sink();
  const argv = ['node', 'vulnshare', ...args];
  const code = await main(argv, out.stream, err.stream);
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('feed commands (in-process, PGlite data folder)', () => {
  let server: FeedServer;
  let dir: string;
  let data: string;
  // the feed server listens on 127.0.0.1: internal targets are allowed explicitly (kept by the restore below)
  process.env.VULNSHARE_ALLOW_INTERNAL_TARGETS = '127.0.0.1';
  const saved = { ...process.env };
  const cli = (...args: string[]) => run(['--data', data, ...args]);

  beforeAll(async () => {
    server = await startFeedServer();
    dir = mkdtempSync(join(tmpdir(), 'vs-feeds-cli-'));
    data = join(dir, 'db');
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });

  it('syncs ad hoc and registered feeds, lists them, shows status, and exits 75 when a sync fails', async () => {
    const body = kevCatalogue(3);
    server.handle(serve(() => ({ body, contentType: 'application/json' })));
    const url = server.url('/kev.json');

    const empty = await cli('feeds', 'list');
    expect(empty).toMatchObject({ code: 0, stderr: '' });
    expect(empty.stdout).toMatch(/no feeds/);

    const first = await cli('sync', 'kev', '--url', url);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(
      `feed kev@127.0.0.1: 3 read, 3 imported, 0 updated, 0 unchanged, 0 rejected (${body.length} bytes, 1 request)\n`,
    );
    const second = await cli('sync', 'kev', '--url', url);
    expect(second).toMatchObject({
      code: 0,
      stdout: 'feed kev@127.0.0.1: not modified since the last run\n',
    });
    const forced = await cli('sync', '--feed', 'kev@127.0.0.1', '--force', '--json');
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout) as SyncResult).toMatchObject({
      feed: 'kev@127.0.0.1',
      outcome: 'imported',
      counts: { read: 3, imported: 0, unchanged: 3 },
    });

    const added = await cli('feeds', 'add', 'kev', 'kev', url, '--every', '6h');
    expect(added).toMatchObject({
      code: 0,
      stdout: `added feed kev: kev ${url}, every 6h (first run due now)\n`,
    });
    expect((await cli('feeds', 'add', 'kev', 'kev', url)).code).toBe(2); // exists already
    // the wording: a format's name as the feed's name, the URL as an option; a provider's metadata
    // registers a feed that follows the provider
    const meta = server.url('/.well-known/csaf/provider-metadata.json');
    expect(await cli('feeds', 'add', 'csaf', '--url', meta)).toMatchObject({
      code: 0,
      stdout: `added feed csaf: csaf-provider ${meta}, on demand\n`,
    });
    expect((await cli('feeds', 'remove', 'csaf')).code).toBe(0);
    const named = await cli('sync', '--feed', 'kev');
    expect(named.stdout).toMatch(/^feed kev: 3 read, 0 imported, 0 updated, 3 unchanged, 0 rejected/);

    const list = await cli('feeds', 'list');
    expect(list.code).toBe(0);
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^name\s+format\s+schedule\s+last success\s+last error\s+failures\s+next run$/);
    expect(lines.slice(2).map((l) => l.split(/\s{2,}/).slice(0, 3))).toEqual([
      ['kev', 'kev', '6h'],
      ['kev@127.0.0.1', 'kev', 'on demand'],
    ]);
    expect(lines[2]).toMatch(/^kev\s+kev\s+6h\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+0\s+\d{4}-/);
    const json = JSON.parse((await cli('feeds', 'list', '--json')).stdout) as Feed[];
    expect(json.find((f) => f.name === 'kev')?.status).toMatchObject({
      etag: etagOf(body),
      lastOutcome: 'imported',
      consecutiveFailures: 0,
    });

    // the source breaks: exit 75, the error names the feed and its URL, the status records it
    server.handle(status(404));
    const failed = await cli('sync', '--feed', 'kev');
    expect(failed.code).toBe(75);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toMatch(new RegExp(`^error: feed "kev" \\(${url.replace(/\./g, '\\.')}\\): .*404`));
    const failedJson = await cli('sync', '--feed', 'kev', '--json');
    expect(failedJson.code).toBe(75);
    expect(JSON.parse(failedJson.stdout) as SyncResult).toMatchObject({ outcome: 'failed', httpStatus: 404 });

    const st = await cli('feeds', 'status', 'kev', '--runs', '2');
    expect(st.code).toBe(0);
    expect(st.stdout).toMatch(/^feed\s+kev$/m);
    expect(st.stdout).toMatch(/^schedule\s+every 6h$/m);
    expect(st.stdout).toMatch(/^last outcome\s+failed \(HTTP 404\)$/m);
    expect(st.stdout).toMatch(/^failures\s+2 in a row$/m);
    expect(st.stdout).toMatch(/^last success\s+\d{4}-/m);
    expect(st.stdout).toMatch(/^started\s+outcome\s+http/m);
    expect(st.stdout.match(/^\S+\s+failed\s+404\s/gm)).toHaveLength(2); // two runs shown, both failed
    const stJson = JSON.parse(
      (await cli('feeds', 'status', 'kev', '--json', '--runs', '5')).stdout,
    ) as Feed & {
      runs: FeedRun[];
    };
    expect(stJson.runs.map((r) => r.outcome)).toEqual(['failed', 'failed', 'imported']);

    const upd = await cli('feeds', 'update', 'kev', '--every', 'off', '--url', server.url('/v2.json'));
    expect(upd).toMatchObject({
      code: 0,
      stdout: `updated feed kev: kev ${server.url('/v2.json')}, on demand\n`,
    });
    expect((await cli('feeds', 'remove', 'kev')).stdout).toBe('removed feed kev\n');
    const gone = await cli('feeds', 'remove', 'kev');
    expect(gone.code).toBe(3);
    expect(gone.stderr).toBe('error: no feed named "kev"\n');
  }, 120_000);

  it('refuses bad usage with exit 2 (3 for an unknown feed) before touching the network', async () => {
    server.requests.length = 0;
    const u = server.url('/kev.json');
    const cases: Array<[string[], number, RegExp]> = [
      [['sync'], 2, /give a format and --url/],
      [['sync', 'kev'], 2, /needs --url/],
      [['sync', 'nvd', '--url', u], 2, /unknown feed format "nvd"/],
      [['sync', 'kev', '--url', 'ftp://example.org/kev.json'], 2, /http:\/\/ or https:\/\//],
      [['sync', 'kev', '--url', u, '--feed', 'x'], 2, /give no format/],
      [['sync', '--feed', 'nope'], 3, /no feed named "nope"/],
      [['feeds', 'add', 'x', 'kev', u, '--every', 'often'], 2, /not an interval/],
      [['feeds', 'add', 'x y', 'kev', u], 2, /feed name/],
      [['feeds', 'add', 'x', 'csv', u], 2, /unknown feed format/],
      [['feeds', 'add', 'x', '--url', u], 2, /needs a format and a URL/],
      [['feeds', 'add', 'x', 'kev', u, '--url', u], 2, /once each/],
      [['feeds', 'update', 'x'], 2, /nothing to change/],
      [['feeds', 'update', 'nope', '--every', '1h'], 3, /no feed named/],
      [['feeds', 'status', 'nope'], 3, /no feed named/],
      [['feeds', 'status', 'nope', '--runs', 'many'], 2, /--runs.*integer/],
    ];
    for (const [args, code, message] of cases) {
      const r = await cli(...args);
      expect([r.code, r.stderr], args.join(' ')).toEqual([code, expect.stringMatching(message)]);
    }
    expect(server.requests).toHaveLength(0);
  }, 120_000);

  it('reports every bad feed setting of the environment at once, naming the variables', async () => {
    process.env.VULNSHARE_FEED_ATTEMPTS = '0';
    process.env.VULNSHARE_FEED_TIMEOUT = 'soon';
    const r = await cli('feeds', 'list');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('VULNSHARE_FEED_ATTEMPTS must be an integer between 1 and 20 (got "0")');
    expect(r.stderr).toContain('VULNSHARE_FEED_TIMEOUT must be a duration');
  });

  it('has --help on sync and every feeds command', async () => {
    for (const args of [
      ['sync'],
      ['feeds'],
      ...['list', 'add', 'update', 'remove', 'status'].map((c) => ['feeds', c]),
    ]) {
      const h = await run([...args, '--help']);
      expect(h.code, args.join(' ')).toBe(0);
      expect(h.stdout, args.join(' ')).toMatch(/Usage: vulnshare/);
    }
  });
});
