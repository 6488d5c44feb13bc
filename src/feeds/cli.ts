/**
 * Feed commands: `sync` (one feed now, registered or ad hoc) and `feeds list|add|update|remove|status`.
 * They run as the operator of the machine (CLI principal), with the feed settings of the environment
 * (VULNSHARE_FEED_TIMEOUT, …, see config.ts). A sync whose outcome is "failed" exits 75 (unavailable).
 */
import { Command, InvalidArgumentError } from 'commander';
import { CLI } from '../accounts/model.js';
import { streams, withPlatform } from '../cli/context.js';
import { formatTable } from '../cli/output.js';
import type { Database } from '../db/client.js';
import { AppError } from '../errors.js';
import { checkFeedUrl, FEED_FORMATS, isFeedFormat, type Feed, type FeedRun } from './model.js';
import { describeResult } from './scheduler.js';
import type { FeedService } from './service.js';

/** Open the database and build the feed service with the environment's feed settings. */
async function withFeeds<T>(cmd: Command, fn: (feeds: FeedService, d: Database) => Promise<T>): Promise<T> {
  return withPlatform(cmd, (p) => fn(p.feeds, p.database));
}

const formats = FEED_FORMATS.join(', ');
const when = (iso: string | null) => (iso ? iso.replace(/\.\d+(?=Z$)/, '').replace(/\+00(:00)?$/, 'Z') : '');

function runsArg(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 500) throw new InvalidArgumentError('must be an integer from 0 to 500');
  return n;
}

/** A run's error starts with 'feed "NAME" (URL): '; a row of the table names the feed already. */
const withoutWhere = (error: string) => error.replace(/^feed "[^"]*" \([^)]*\): /, '');

/** '6h', '1d', '1h30m'; 'off' / 'none' = on demand only (null). */
const everyValue = (v: string): string | null => (/^(off|none|never)$/i.test(v.trim()) ? null : v);

function describeFeed(f: Feed): string {
  return `${f.name}: ${f.format} ${f.url}, ${f.schedule ? `every ${f.schedule}` : 'on demand'}`;
}

export function registerFeedCommands(program: Command): void {
  program
    .command('sync')
    .description(
      `download a catalogue now and import it: a format (${formats}) with --url, or a registered feed with --feed`,
    )
    .argument('[format]', `one of ${formats}`)
    .option('--url <url>', 'http(s) URL of a full snapshot (KEV JSON, a CVE JSON 5 record or zip, CNVD XML)')
    .option('--name <name>', 'the name to register an ad-hoc source under (default <format>@<host>)')
    .option('--feed <name>', 'sync a registered feed instead')
    .option('--force', 'download in full even if the server says it is unchanged (no ETag / Last-Modified)')
    .option('--json', 'print the result as JSON')
    .action(
      async (
        format: string | undefined,
        o: { url?: string; name?: string; feed?: string; force?: boolean; json?: boolean },
        cmd: Command,
      ) => {
        const { print, warn } = streams(cmd);
        let target: Parameters<FeedService['syncFeed']>[1];
        if (o.feed !== undefined) {
          if (format !== undefined || o.url !== undefined || o.name !== undefined)
            throw new AppError(
              'invalid_parameter',
              '--feed NAME syncs a registered feed: give no format, --url or --name with it',
            );
          target = o.feed;
        } else {
          if (format === undefined)
            throw new AppError(
              'invalid_parameter',
              `give a format and --url (sync kev --url URL), or --feed NAME; formats: ${formats}`,
            );
          if (!isFeedFormat(format))
            throw new AppError('invalid_parameter', `unknown feed format "${format}"; use one of ${formats}`);
          if (o.url === undefined)
            throw new AppError('invalid_parameter', `sync ${format} needs --url URL (or use --feed NAME)`);
          checkFeedUrl(o.url);
          target = { format, url: o.url, ...(o.name !== undefined ? { name: o.name } : {}) };
        }
        await withFeeds(cmd, async (feeds) => {
          const r = await feeds.syncFeed(CLI, target, { force: !!o.force });
          if (o.json) print(JSON.stringify(r, null, 2));
          if (r.outcome === 'failed')
            throw new AppError('unavailable', r.error ?? describeResult(r), { feed: r.feed, url: r.url });
          if (o.json) return;
          for (const i of r.issues.slice(0, 20))
            warn(
              `error: ${i.file}${i.record ? ` record ${i.record}` : ''}${i.field ? ` field ${i.field}` : ''}: ${i.message}`,
            );
          if (r.issues.length > 20) warn(`… and ${r.issues.length - 20} more (use --json for up to 200)`);
          print(describeResult(r));
          if (r.documents) {
            const c = r.documents;
            print(
              `documents: ${c.listed} listed, ${c.fetched} fetched, ${c.imported} imported, ${c.invalid} invalid, ${c.refused} refused`,
            );
          }
        });
      },
    );

  const group = program
    .command('feeds')
    .description('remote catalogues synced on a schedule by the worker: list, add, update, remove, status');

  group
    .command('list')
    .description('every feed with its schedule and the state of its last runs')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const { print } = streams(cmd);
      await withFeeds(cmd, async (feeds) => {
        const items = await feeds.listFeeds(CLI);
        if (o.json) return void print(JSON.stringify(items, null, 2));
        if (items.length === 0)
          return void print('no feeds; add one with: vulnshare feeds add NAME FORMAT URL');
        print(
          formatTable(
            ['name', 'format', 'schedule', 'last success', 'last error', 'failures', 'next run'],
            items.map((f) => [
              f.name,
              f.format,
              f.schedule ?? 'on demand',
              when(f.status.lastSuccessAt),
              f.status.lastError ? `${when(f.status.lastErrorAt)} ${withoutWhere(f.status.lastError)}` : '',
              String(f.status.consecutiveFailures),
              when(f.status.nextRunAt),
            ]),
            60,
          ),
        );
      });
    });

  group
    .command('add')
    .description(
      'register a feed; with --every the worker syncs it on that schedule (the first run is due at once). ' +
        'A csaf feed at a provider-metadata.json follows that CSAF provider: feeds add csaf --url https://…/.well-known/csaf/provider-metadata.json',
    )
    .argument('<name>', "letters, digits, '.', '_', '@', '-' (a format's name doubles as the format)")
    .argument('[format]', `one of ${formats} (default: the name, when it is a format)`)
    .argument('[url]', 'http(s) URL of a full snapshot, or of a CSAF provider-metadata.json')
    .option('--url <url>', 'the URL, instead of the third argument')
    .option('--format <format>', 'the format, instead of the second argument')
    .option('--every <interval>', 'schedule: 30m, 6h, 1d, 1h30m (default: on demand only)')
    .action(
      async (
        name: string,
        formatArg: string | undefined,
        urlArg: string | undefined,
        o: { every?: string; url?: string; format?: string },
        cmd: Command,
      ) => {
        const { print } = streams(cmd);
        if (
          (formatArg !== undefined && o.format !== undefined) ||
          (urlArg !== undefined && o.url !== undefined)
        )
          throw new AppError(
            'invalid_parameter',
            'give the format and the URL once each (argument or option)',
          );
        const format = formatArg ?? o.format ?? (isFeedFormat(name) ? name : undefined);
        const url = urlArg ?? o.url;
        if (format === undefined || url === undefined)
          throw new AppError(
            'invalid_parameter',
            `feeds add needs a format and a URL: feeds add NAME FORMAT URL, or feeds add FORMAT --url URL; formats: ${formats}`,
          );
        await withFeeds(cmd, async (feeds) => {
          const f = await feeds.addFeed(CLI, {
            name,
            format,
            url,
            schedule: o.every === undefined ? null : everyValue(o.every),
          });
          print(`added feed ${describeFeed(f)}${f.status.nextRunAt ? ' (first run due now)' : ''}`);
        });
      },
    );

  group
    .command('update')
    .description('change a feed’s URL, format or schedule (a new URL or format forgets its ETag)')
    .argument('<name>')
    .option('--url <url>', 'new URL')
    .option('--format <format>', `new format: ${formats}`)
    .option('--every <interval>', 'new schedule (30m, 6h, 1d…), or off for on demand only')
    .action(async (name: string, o: { url?: string; format?: string; every?: string }, cmd: Command) => {
      const { print } = streams(cmd);
      if (o.url === undefined && o.format === undefined && o.every === undefined)
        throw new AppError('invalid_parameter', 'nothing to change: give --url, --format or --every');
      await withFeeds(cmd, async (feeds) => {
        const f = await feeds.updateFeed(CLI, name, {
          ...(o.url !== undefined ? { url: o.url } : {}),
          ...(o.format !== undefined ? { format: o.format } : {}),
          ...(o.every !== undefined ? { schedule: everyValue(o.every) } : {}),
        });
        print(`updated feed ${describeFeed(f)}`);
      });
    });

  group
    .command('remove')
    .description('remove a feed and its run history (the records it imported stay)')
    .argument('<name>')
    .action(async (name: string, _o, cmd: Command) => {
      const { print } = streams(cmd);
      await withFeeds(cmd, async (feeds) => {
        await feeds.removeFeed(CLI, name);
        print(`removed feed ${name}`);
      });
    });

  group
    .command('status')
    .description('one feed: its status and its most recent runs, newest first')
    .argument('<name>')
    .option('--runs <n>', 'runs to show (0-500)', runsArg, 10)
    .option('--json', 'print JSON')
    .action(async (name: string, o: { runs: number; json?: boolean }, cmd: Command) => {
      const { print } = streams(cmd);
      await withFeeds(cmd, async (feeds) => {
        const f = await feeds.feedStatus(CLI, name, { runs: o.runs });
        if (o.json) return void print(JSON.stringify(f, null, 2));
        print(statusText(f));
        if (f.runs.length > 0) print(`\n${runsTable(f.runs)}`);
      });
    });
}

function statusText(f: Feed): string {
  const s = f.status;
  const c = s.lastCounts;
  const lines: Array<[string, string]> = [
    ['feed', f.name],
    ['format', f.format],
    ['url', f.url],
    ['schedule', f.schedule ? `every ${f.schedule}` : 'on demand'],
    ['last attempt', when(s.lastAttemptAt) || 'never'],
    ['last success', when(s.lastSuccessAt) || 'never'],
    [
      'last outcome',
      s.lastOutcome
        ? `${s.lastOutcome}${s.lastHttpStatus !== null ? ` (HTTP ${s.lastHttpStatus})` : ''}`
        : 'none yet',
    ],
    [
      'last counts',
      `${c.read} read, ${c.imported} imported, ${c.updated} updated, ${c.unchanged} unchanged, ${c.rejected} rejected`,
    ],
    ['last error', s.lastError ? `${when(s.lastErrorAt)} ${s.lastError}` : 'none'],
    ['failures', `${s.consecutiveFailures} in a row`],
    ['next run', when(s.nextRunAt) || (f.schedule ? 'due' : 'on demand')],
    [
      'validators',
      [s.etag ? `ETag ${s.etag}` : '', s.lastModified ? `Last-Modified ${s.lastModified}` : '']
        .filter(Boolean)
        .join(', ') || 'none',
    ],
  ];
  if (s.leasedUntil) lines.push(['syncing', `a worker holds it until ${when(s.leasedUntil)}`]);
  const w = Math.max(...lines.map(([k]) => k.length));
  return lines.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}

function runsTable(runs: FeedRun[]): string {
  return formatTable(
    [
      'started',
      'outcome',
      'http',
      'requests',
      'bytes',
      'read',
      'new',
      'updated',
      'unchanged',
      'rejected',
      'error',
    ],
    runs.map((r) => [
      when(r.startedAt),
      r.outcome,
      r.httpStatus === null ? '' : String(r.httpStatus),
      String(r.attempts),
      String(r.bytes),
      String(r.counts.read),
      String(r.counts.imported),
      String(r.counts.updated),
      String(r.counts.unchanged),
      String(r.counts.rejected),
      r.error ?? '',
    ]),
    60,
  );
}
