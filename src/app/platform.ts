/**
 * The composition root: every service of the platform, built once from the database and the configuration.
 * `vulnshare serve`, every CLI command, the worker, the benchmark and the tests all build the platform here,
 * so what the tests exercise is what ships. Only the parts a test must replace (clock, mailer, fetch, PDF
 * renderer, feed retry timings) can be passed in.
 */
import type { Config } from '../config/config.js';
import { loadConfig } from '../config/config.js';
import type { Database } from '../db/client.js';
import { createAccountService } from '../accounts/service.js';
import { createCoordinationService } from '../coordination/service.js';
import { createSmtpMailer } from '../coordination/mailer.js';
import { createOutboxWorker, type Mailer } from '../coordination/outbox.js';
import { feedServiceFromConfig } from '../feeds/worker.js';
import type { FeedExtras } from '../feeds/worker.js';
import { createIncidentService } from '../incidents/service.js';
import { createCsafProvider } from '../csaf/provider.js';
import { createAdvisoryService } from '../advisories/service.js';
import { createGcvePublication } from '../gcve/service.js';
import { createPdfRenderer, type PdfRenderer } from '../reports/pdf.js';
import { createBulletinService, loadBulletinSettings } from '../reports/service.js';
import { createPeriodicReportService } from '../reports/periodic-service.js';
import { createSubmissionService } from '../submissions/service.js';
import { DEFAULT_ID_FORMAT } from '../submissions/ids.js';
import { createMessageService } from '../submissions/messages.js';
import { createReporterStats } from '../submissions/stats.js';
import { createWatchlistService } from '../watchlists/service.js';
import { createPeerService } from '../peers/service.js';
import { createDelegationService, type DelegationService } from '../peers/delegation.js';
import { createHandoverService, guardHandedOverCases } from '../peers/handover.js';
import { createGuardedFetch } from '../outbound/fetch.js';
import { createSetupService } from '../setup/service.js';
import { createDrillService } from '../drills/service.js';
import { createAllianceService } from '../alliance/service.js';
import { createTipoffService } from '../tipoffs/service.js';

/** What a test (or an embedding program) may replace; everything else comes from the configuration. */
export interface PlatformOverrides {
  clock?: () => Date;
  /** The outbox's mailer; default: SMTP from VULNSHARE_SMTP_URL, or none (e-mail waits in the outbox). */
  mailer?: Mailer | null;
  /** HTTP for webhooks and feeds. */
  fetch?: typeof fetch;
  pdf?: PdfRenderer;
  /** Feed retry timings and download folder (tests keep the backoff tiny). */
  feeds?: FeedExtras;
}

/** Settings with defaults for what a caller leaves out (tests give only what they test). */
export function completeConfig(partial: Partial<Config> = {}): Config {
  return { ...loadConfig({}), ...partial };
}

export function createPlatform(database: Database, config: Config, overrides: PlatformOverrides = {}) {
  const { db } = database;
  const clock = overrides.clock ? { clock: overrides.clock } : {};
  const { publicUrl, slaDays: sla } = config;

  // contact webhooks, feeds and webhook delivery reach internal addresses only as VULNSHARE_ALLOW_INTERNAL_TARGETS says
  const internalTargets = config.allowInternalTargets;
  const accounts = createAccountService({ db, ...clock, internalTargets });
  // a case handed over to a peer is coordinated there: notifying it from here is refused (peers/handover.ts)
  const coordination = guardHandedOverCases(db, createCoordinationService({ db, publicUrl, sla, ...clock }));
  // numbers a national instance delegated to us come first (peers/delegation.ts, bound once the peers exist)
  const delegation: { service?: DelegationService } = {};
  const submissions = createSubmissionService({
    db,
    ...clock,
    idFormat: { ...DEFAULT_ID_FORMAT, prefix: config.idPrefix },
    delegatedIds: {
      take: (tx, year) => delegation.service?.delegatedIds.take(tx, year) ?? Promise.resolve(null),
    },
    // event-type findings notify the organisation they name in the verifying transaction
    coordination,
  });
  const messages = createMessageService({ db, ...clock });
  // the first run: a one-time setup link while no admin exists
  const setup = createSetupService({ db, accounts, ...clock });
  const stats = createReporterStats({ db, ...clock });
  const watchlists = createWatchlistService({ db, ...clock });
  const incidents = createIncidentService({ db, coordination, ...clock });
  // alliance members are organisations of accounts; an early warning to them goes through disposal's notify
  const alliance = createAllianceService({ db, coordination, ...clock });
  // public tip-offs enter the triage queue as submissions of origin 'public'
  const tipoffs = createTipoffService({ db, ...clock });
  const feeds = feedServiceFromConfig(database, config.feeds, {
    batchSize: config.importBatchSize,
    cveSchemaFile: config.cveSchemaFile,
    internalTargets,
    ...clock,
    ...(overrides.fetch ? { fetchImpl: overrides.fetch } : {}),
    ...overrides.feeds,
  });
  const advisories = createAdvisoryService({
    db,
    publisher: { name: config.platformOrg.shortName, namespace: publicUrl },
    // TLP:AMBER advisories are for the active alliance members (and the staff)
    isAllianceMember: alliance.isActiveMember,
    ...clock,
  });
  const csafProvider = createCsafProvider({
    db,
    publisher: { name: config.platformOrg.shortName, namespace: publicUrl },
    key: config.csafKey,
    // published TLP:WHITE advisories are distributed beside the records; TLP:AMBER ones to alliance members
    extraDocuments: (tlp) =>
      tlp === 'WHITE' || tlp === 'AMBER' ? advisories.publishedDocuments(tlp) : Promise.resolve([]),
    isAllianceMember: alliance.isActiveMember,
    // security.txt names the GCVE publication endpoint too when the platform is a GNA
    ...(config.gcveGna !== undefined ? { gcvePullApi: publicUrl } : {}),
    ...clock,
  });
  // GCVE-BCP-03: the platform's own records under its GNA id (none configured: not a GNA)
  const gcve = createGcvePublication({
    db,
    org: config.platformOrg,
    prefix: config.idPrefix,
    publicUrl,
    gna: config.gcveGna,
  });
  // federation: this instance is named by its short name at its public URL; peers are reached as feeds are
  const peers = createPeerService({
    database,
    settings: { name: config.platformOrg.shortName, url: publicUrl, ...config.peers },
    // embargoed advance notices are made from submissions
    submissions,
    ...clock,
    fetchImpl: overrides.fetch ?? createGuardedFetch({ allowance: internalTargets }),
  });
  // case hand-over: cases to and from peers through the signed messages, their boards sent back as they change
  const handover = createHandoverService({ db, messages: peers.messages, ...clock });
  peers.messages.register('case.handover', handover.receiveHandover);
  peers.messages.register('case.update', handover.receiveUpdate);
  // ID delegation: blocks of our series to sector peers, and the blocks a national peer delegated to us
  const idDelegation = createDelegationService({
    db,
    messages: peers.messages,
    idFormat: { ...DEFAULT_ID_FORMAT, prefix: config.idPrefix },
    ...clock,
  });
  delegation.service = idDelegation;
  peers.messages.register('ids.delegate', (ctx, body) => idDelegation.receiveDelegate(ctx, body));
  peers.messages.register('ids.request', (ctx, body) => idDelegation.receiveRequest(ctx, body));
  const pdf = overrides.pdf ?? createPdfRenderer(config.chromiumPath);
  const bulletinSettings = loadBulletinSettings(publicUrl, config.bulletinSettingsFile);
  const bulletins = createBulletinService({
    db,
    settings: bulletinSettings,
    pdf,
    disposal: coordination,
    ...clock,
  });
  // monthly and annual reports: the bulletin's platform settings and PDF; incident counts from incidents
  // exercises: injects through the outbox, the after-action PDF through the bulletin's renderer
  // with an inbound SMTP listener (VULNSHARE_INBOUND_SMTP_PORT) inject e-mails carry a reply address of its domain
  const drills = createDrillService({ db, pdf, ...clock, replyDomain: config.inboundSmtp?.domain });
  const reports = createPeriodicReportService({
    db,
    platform: bulletinSettings.platform,
    incidents,
    // the membership figures of the alliance registry
    alliance,
    drills,
    pdf,
    ...clock,
  });
  const smtp =
    overrides.mailer === undefined && config.smtpUrl
      ? createSmtpMailer(config.smtpUrl, config.mailFrom)
      : null;
  const mailer = overrides.mailer === undefined ? smtp : overrides.mailer;
  const outbox = createOutboxWorker({
    db,
    mailer,
    internalTargets,
    ...clock,
    ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
  });

  return {
    database,
    config,
    accounts,
    coordination,
    submissions,
    messages,
    stats,
    watchlists,
    incidents,
    alliance,
    tipoffs,
    feeds,
    bulletins,
    reports,
    outbox,
    csafProvider,
    advisories,
    gcve,
    peers,
    handover,
    delegation: idDelegation,
    setup,
    drills,
    /** Close what the platform opened (the PDF browser, the SMTP connection); not the database. */
    async close() {
      if (!overrides.pdf) await pdf.close();
      smtp?.close();
    },
  };
}

export type Platform = ReturnType<typeof createPlatform>;
