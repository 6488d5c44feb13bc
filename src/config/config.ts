/**
 * All settings in one schema, read once at start from flags, environment and defaults.
 * Every problem is reported at once. Nothing else in the code reads process.env.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { NO_INTERNAL_TARGETS, parseInternalAllowance, type InternalAllowance } from '../outbound/targets.js';
import { AppError, isAppError } from '../errors.js';
import { DEFAULT_FEEDS_INTERVAL_MS, feedConfigFromEnv, type FeedConfig } from '../feeds/config.js';
import { DEFAULT_PEER_CONFIG, peerConfigFromEnv, type PeerConfig } from '../peers/config.js';

export interface Config {
  /** PostgreSQL server URL; when unset the embedded PGlite database in dataDir is used. */
  databaseUrl: string | undefined;
  /**
   * Streaming-replication read replicas (DATABASE_REPLICA_URLS, comma-separated postgres:// URLs; only with
   * DATABASE_URL): public reads go to one of them (src/ops/replicas.ts).
   */
  replicaUrls: string[];
  /** A replica further behind the primary than this many bytes of WAL leaves the rotation (DATABASE_REPLICA_MAX_LAG_BYTES). */
  replicaMaxLagBytes: number;
  /** How often each replica's replay position is measured, in ms (DATABASE_REPLICA_CHECK_MS). */
  replicaCheckMs: number;
  /** PGlite data directory. */
  dataDir: string;
  host: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Requests per minute per client IP on the public API. */
  rateLimitPerMinute: number;
  /** Rows per import transaction. */
  importBatchSize: number;
  /** The platform's public address, used in links of bulletins and feeds. */
  publicUrl: string;
  /** JSON file overriding the bulletin's rules and platform texts (see src/reports/rules.ts). */
  bulletinSettingsFile: string | undefined;
  /** Chromium used for PDF. */
  chromiumPath: string;
  /** SMTP server for notifications (smtp://user:pass@host:port); unset = e-mail messages wait in the outbox. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /**
   * The inbound SMTP listener that takes e-mail replies to exercise injects (src/mail-in/): its port
   * (VULNSHARE_INBOUND_SMTP_PORT; 0 = any free port), listen host (VULNSHARE_INBOUND_SMTP_HOST, default
   * 127.0.0.1) and the domain of the reply addresses (VULNSHARE_INBOUND_MAIL_DOMAIN, required with the port):
   * each inject e-mail goes out with Reply-To drill+<token>@<domain>. Unset: no listener, no reply addresses.
   * `serve` (with its worker) and `worker` start it.
   */
  inboundSmtp: { host: string; port: number; domain: string } | undefined;
  /** Run the outbox worker and the disposal sweep inside `serve`. */
  worker: boolean;
  /**
   * How often the worker's sweep runs (VULNSHARE_SWEEP_MS, default a minute): publication at embargo end,
   * digests, reminders. One process at a time runs it, under the `sweep` lease.
   */
  sweepIntervalMs: number;
  /**
   * Internal addresses (loopback, private, link-local …) that webhooks and feeds may reach; default none
   * (VULNSHARE_ALLOW_INTERNAL_TARGETS: comma-separated CIDR ranges, addresses, host names, or `*`).
   */
  allowInternalTargets: InternalAllowance;
  /** Prefix of the platform's vulnerability ids: VS → VS-2026-00001. */
  idPrefix: string;
  /**
   * Worker threads that parse and prepare an import's files beside the writer (VULNSHARE_IMPORT_WORKERS;
   * default one less than the cores, at most 4; 0 parses in-process). See src/imports/parallel.ts.
   */
  importWorkers: number;
  /** Days a recipient has to fix, per severity ("high=15,medium=30,low=45,unrated=30"). */
  slaDays: { high: number; medium: number; low: number; unrated: number };
  /** Feed worker and download settings (VULNSHARE_FEEDS_*, VULNSHARE_FEED_*; see src/feeds/config.ts). */
  feeds: FeedConfig;
  /**
   * The platform as a CVE Program organisation: the UUID (VULNSHARE_ORG_ID, a version-4 UUID as the CVE
   * schema's orgId requires) and short name (VULNSHARE_SHORT_NAME, 2–32 characters) naming its ADP container
   * in CVE JSON 5 exports. The default UUID is a fixed placeholder registered with nobody: an operator that is
   * a CNA or ADP sets the id the CVE Program gave it.
   */
  platformOrg: { orgId: string; shortName: string };
  /**
   * The OpenPGP private key a CSAF provider signs with (VULNSHARE_CSAF_KEY_FILE: an armored private key,
   * VULNSHARE_CSAF_KEY_PASSPHRASE when it is encrypted); unset = a key created at first use and stored.
   */
  csafKey: { file: string; armored: string; passphrase: string | undefined } | undefined;
  /** The CVE JSON schema file `import cve5` validates records against (VULNSHARE_CVE_SCHEMA); unset = the bundled 5.1.1. */
  cveSchemaFile: string | undefined;
  /** The password `vulnshare admin create` gives the user it creates (VULNSHARE_PASSWORD; or --password-stdin). */
  newUserPassword: string | undefined;
  /**
   * The platform's GCVE Numbering Authority id (VULNSHARE_GCVE_GNA, from the GCVE directory): its own records
   * are published as GCVE-<gna>-<year>-<serial> through the GCVE-BCP-03 pull API and dump; unset = not a GNA.
   */
  gcveGna: number | undefined;
  /** Federation (VULNSHARE_PEER_CLOCK_SKEW, VULNSHARE_PEER_KEY_GRACE, VULNSHARE_PEER_PAGE; see src/peers/config.ts). */
  peers: PeerConfig;
}

/** The placeholder org id of CVE JSON 5 exports when VULNSHARE_ORG_ID is unset (see Config.platformOrg). */
/** Import worker threads by default: one less than the cores (the writer keeps one), at most 4. */
export const defaultImportWorkers = () => Math.max(0, Math.min(4, availableParallelism() - 1));

export const DEFAULT_PLATFORM_ORG_ID = '6d4b5c52-5a9b-4b8e-9c57-76756c6e7368';
/** The CVE schema's uuidType: a version-4 UUID. */
const UUID_V4 = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-4[0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$/;

export interface ConfigOverrides {
  data?: string;
  databaseUrl?: string;
  host?: string;
  port?: number | string;
  logLevel?: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function intSetting(
  name: string,
  raw: string | number | undefined,
  dflt: number,
  min: number,
  max: number,
  problems: string[],
): number {
  if (raw === undefined || raw === '') return dflt;
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name} must be an integer between ${min} and ${max} (got "${String(raw)}")`);
    return dflt;
  }
  return n;
}

/** Build the configuration from CLI overrides and an environment (process.env at the edge). */
export function loadConfig(env: Record<string, string | undefined>, overrides: ConfigOverrides = {}): Config {
  const problems: string[] = [];
  const databaseUrl = overrides.databaseUrl ?? (env.DATABASE_URL || undefined);
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push(`DATABASE_URL must start with postgres:// or postgresql:// (got "${databaseUrl}")`);
  }
  const logLevelRaw = overrides.logLevel ?? env.VULNSHARE_LOG_LEVEL ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevelRaw)) {
    problems.push(`VULNSHARE_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevelRaw}")`);
  }
  const replicaUrls = (env.DATABASE_REPLICA_URLS ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  for (const u of replicaUrls)
    if (!/^postgres(ql)?:\/\//.test(u))
      problems.push(`DATABASE_REPLICA_URLS: "${u}" does not start with postgres:// or postgresql://`);
  if (replicaUrls.length && !databaseUrl)
    problems.push('DATABASE_REPLICA_URLS needs DATABASE_URL (the primary the replicas follow)');
  const config: Config = {
    databaseUrl,
    replicaUrls,
    replicaMaxLagBytes: intSetting(
      'DATABASE_REPLICA_MAX_LAG_BYTES',
      env.DATABASE_REPLICA_MAX_LAG_BYTES,
      16 * 1024 * 1024,
      0,
      2 ** 40,
      problems,
    ),
    replicaCheckMs: intSetting(
      'DATABASE_REPLICA_CHECK_MS',
      env.DATABASE_REPLICA_CHECK_MS,
      2000,
      100,
      600_000,
      problems,
    ),
    dataDir: resolve(overrides.data ?? env.VULNSHARE_DATA ?? './data'),
    host: overrides.host ?? env.VULNSHARE_HOST ?? '127.0.0.1',
    port: intSetting('VULNSHARE_PORT', overrides.port ?? env.VULNSHARE_PORT, 8080, 0, 65535, problems),
    logLevel: (LOG_LEVELS as readonly string[]).includes(logLevelRaw)
      ? (logLevelRaw as Config['logLevel'])
      : 'info',
    rateLimitPerMinute: intSetting(
      'VULNSHARE_RATE_LIMIT',
      env.VULNSHARE_RATE_LIMIT,
      600,
      1,
      1_000_000,
      problems,
    ),
    importBatchSize: intSetting(
      'VULNSHARE_IMPORT_BATCH',
      env.VULNSHARE_IMPORT_BATCH,
      1000,
      1,
      20_000,
      problems,
    ),
    publicUrl: '',
    bulletinSettingsFile: env.VULNSHARE_BULLETIN_SETTINGS
      ? resolve(env.VULNSHARE_BULLETIN_SETTINGS)
      : undefined,
    chromiumPath: env.VULNSHARE_CHROMIUM ?? '/usr/bin/chromium',
    smtpUrl: env.VULNSHARE_SMTP_URL || undefined,
    mailFrom: env.VULNSHARE_MAIL_FROM ?? 'vulnshare <noreply@localhost>',
    inboundSmtp: undefined,
    worker: env.VULNSHARE_WORKER !== '0',
    sweepIntervalMs: intSetting(
      'VULNSHARE_SWEEP_MS',
      env.VULNSHARE_SWEEP_MS,
      60_000,
      200,
      86_400_000,
      problems,
    ),
    allowInternalTargets: NO_INTERNAL_TARGETS,
    idPrefix: env.VULNSHARE_ID_PREFIX ?? 'VS',
    importWorkers: intSetting(
      'VULNSHARE_IMPORT_WORKERS',
      env.VULNSHARE_IMPORT_WORKERS,
      defaultImportWorkers(),
      0,
      64,
      problems,
    ),
    slaDays: { high: 15, medium: 30, low: 45, unrated: 30 },
    feeds: { intervalMs: DEFAULT_FEEDS_INTERVAL_MS, retry: {}, tmpDir: undefined },
    platformOrg: {
      orgId: (env.VULNSHARE_ORG_ID || DEFAULT_PLATFORM_ORG_ID).toLowerCase(),
      shortName: env.VULNSHARE_SHORT_NAME || 'vulnshare',
    },
    csafKey: undefined,
    cveSchemaFile: env.VULNSHARE_CVE_SCHEMA ? resolve(env.VULNSHARE_CVE_SCHEMA) : undefined,
    newUserPassword: env.VULNSHARE_PASSWORD || undefined,
    gcveGna: undefined,
    peers: DEFAULT_PEER_CONFIG,
  };
  config.peers = peerConfigFromEnv(env, problems);
  if (env.VULNSHARE_GCVE_GNA) {
    if (/^\d{1,9}$/.test(env.VULNSHARE_GCVE_GNA.trim()))
      config.gcveGna = Number(env.VULNSHARE_GCVE_GNA.trim());
    else problems.push(`VULNSHARE_GCVE_GNA must be a GNA number (got "${env.VULNSHARE_GCVE_GNA}")`);
  }
  if (env.VULNSHARE_CSAF_KEY_FILE) {
    const file = resolve(env.VULNSHARE_CSAF_KEY_FILE);
    try {
      const armored = readFileSync(file, 'utf8');
      if (!armored.includes('-----BEGIN PGP PRIVATE KEY BLOCK-----'))
        problems.push(`VULNSHARE_CSAF_KEY_FILE: ${file} holds no armored OpenPGP private key`);
      else config.csafKey = { file, armored, passphrase: env.VULNSHARE_CSAF_KEY_PASSPHRASE || undefined };
    } catch (e) {
      problems.push(`VULNSHARE_CSAF_KEY_FILE: cannot read ${file} (${(e as Error).message})`);
    }
  }
  try {
    config.feeds = feedConfigFromEnv(env);
  } catch (e) {
    const more = isAppError(e) ? (e.details?.problems as string[] | undefined) : undefined;
    if (!more) throw e;
    problems.push(...more);
  }
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  config.publicUrl = (env.VULNSHARE_PUBLIC_URL ?? `http://${host}:${config.port}`).replace(/\/+$/, '');
  if (!/^https?:\/\//.test(config.publicUrl))
    problems.push(`VULNSHARE_PUBLIC_URL must start with http:// or https:// (got "${config.publicUrl}")`);
  for (const part of (env.VULNSHARE_SLA_DAYS ?? '').split(',').filter(Boolean)) {
    const m = /^\s*(high|medium|low|unrated)\s*=\s*(\d{1,4})\s*$/.exec(part);
    if (!m?.[1] || !m[2] || Number(m[2]) < 1)
      problems.push(
        `VULNSHARE_SLA_DAYS: "${part}" is not severity=days (high, medium, low, unrated; days ≥ 1)`,
      );
    else config.slaDays[m[1] as keyof Config['slaDays']] = Number(m[2]);
  }
  if (!/^[A-Z][A-Z0-9]{1,9}$/.test(config.idPrefix))
    problems.push(
      `VULNSHARE_ID_PREFIX must be 2–10 capital letters or digits, starting with a letter (got "${config.idPrefix}")`,
    );
  if (!UUID_V4.test(config.platformOrg.orgId))
    problems.push(
      `VULNSHARE_ORG_ID must be a version-4 UUID, as a CVE record's orgId is (got "${config.platformOrg.orgId}")`,
    );
  if (!/^\S(.{0,30}\S)$/u.test(config.platformOrg.shortName))
    problems.push(
      `VULNSHARE_SHORT_NAME must be 2–32 characters without surrounding spaces (got "${config.platformOrg.shortName}")`,
    );
  const internal = parseInternalAllowance(env.VULNSHARE_ALLOW_INTERNAL_TARGETS);
  config.allowInternalTargets = internal.allowance;
  for (const p of internal.problems) problems.push(`VULNSHARE_ALLOW_INTERNAL_TARGETS: ${p}`);
  if (env.VULNSHARE_INBOUND_SMTP_PORT !== undefined && env.VULNSHARE_INBOUND_SMTP_PORT !== '') {
    const port = intSetting(
      'VULNSHARE_INBOUND_SMTP_PORT',
      env.VULNSHARE_INBOUND_SMTP_PORT,
      0,
      0,
      65_535,
      problems,
    );
    const domain = (env.VULNSHARE_INBOUND_MAIL_DOMAIN ?? '').trim().toLowerCase();
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(domain))
      problems.push(
        `VULNSHARE_INBOUND_MAIL_DOMAIN must be the domain of the reply addresses (drills.cert.example) when VULNSHARE_INBOUND_SMTP_PORT is set (got "${domain}")`,
      );
    config.inboundSmtp = { host: env.VULNSHARE_INBOUND_SMTP_HOST || '127.0.0.1', port, domain };
  }
  if (config.smtpUrl !== undefined && !/^smtps?:\/\//.test(config.smtpUrl))
    problems.push(`VULNSHARE_SMTP_URL must start with smtp:// or smtps:// (got "${config.smtpUrl}")`);
  if (problems.length > 0) {
    throw new AppError('invalid_input', `Invalid configuration:\n  - ${problems.join('\n  - ')}`, {
      problems,
    });
  }
  return config;
}
