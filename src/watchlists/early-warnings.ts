/**
 * Early warnings: the watchlists of an active alliance member organisation alert on a report still under
 * embargo that matches them, the embargo stated in the message ("early warning, do not publish before …");
 * everyone else hears of the record only when it is published (alerts.ts `alertPublished`), and an organisation
 * warned early is not alerted a second time then. One warning per (organisation, record), like the alerts.
 *
 * The worker's sweep (under its lease) calls `raiseEarlyWarnings`: every report scheduled for publication and
 * not published yet is matched against the members' watch items; each new warning is written with its outbox
 * messages in one transaction, and the statement re-checks the membership, so a suspended or expired member is
 * left out from that moment. An early warning is sent at once whatever the watchlist's delivery: a digest
 * could arrive after the embargo it announces.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { buildWatchIndex, matchVulnerability } from './matcher.js';
import * as store from './store.js';

export interface EarlyWarningLine {
  publicId: string;
  title: string;
  severity: string | null;
  embargoUntil: string;
  watchlist: string;
  matchReason: string;
}

/** "2027-03-01 08:00 UTC": the moment before which the record must not be published. */
const moment = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

export function earlyWarningMessage(l: EarlyWarningLine): {
  subject: string;
  body: Record<string, unknown>;
} {
  const until = moment(l.embargoUntil);
  const text = [
    `提前预警，${until} 之前请勿公开 / Early warning, do not publish before ${until}`,
    `关注列表 / Watchlist: ${l.watchlist}`,
    `${l.publicId} ${l.title}`,
    ...(l.severity ? [`评级 / Severity: ${l.severity}`] : []),
    `匹配原因 / Why: ${l.matchReason}`,
    '本预警仅发给联盟成员单位 / This early warning goes to alliance members only.',
  ].join('\n');
  return {
    subject:
      `[vulnshare] 提前预警 / Early warning (embargoed until ${until}): ${l.publicId} ${l.title}`.slice(
        0,
        300,
      ),
    body: {
      text,
      kind: 'early_warning',
      embargoUntil: l.embargoUntil,
      alerts: [
        { vulnerabilityId: l.publicId, title: l.title, reason: 'early_warning', watchlist: l.watchlist },
      ],
      total: 1,
    },
  };
}

/** Match the reports under embargo against the active members' watchlists; write and queue the new warnings. */
export async function raiseEarlyWarnings(db: Kysely<DB>, now: Date): Promise<{ warnings: number }> {
  const at = now.toISOString();
  const reports = await store.embargoedReports(db, at);
  if (!reports.length) return { warnings: 0 };
  const members = await store.activeMemberOrganisations(db);
  if (!members.size) return { warnings: 0 };
  const ix = buildWatchIndex((await store.loadItemSpecs(db)).filter((s) => members.has(s.organisationId)));
  if (ix.size === 0) return { warnings: 0 };
  const inserts: store.EarlyWarningInsert[] = [];
  const lines = new Map<string, EarlyWarningLine>();
  for (const r of reports) {
    const doc = {
      products:
        r.vendor && r.product
          ? [{ vendor: r.vendor, product: r.product, versions: r.version ? [r.version] : [] }]
          : [],
      title: { zh: r.title },
      description: { zh: r.description },
    };
    for (const m of matchVulnerability(ix, doc)) {
      inserts.push({
        organisationId: m.organisationId,
        watchlistId: m.watchlistId,
        itemId: m.itemId,
        submissionId: r.submissionId,
        publicId: r.publicId,
        embargoUntil: r.embargoUntil,
        matchReason: m.reason.slice(0, 300),
        at,
      });
      lines.set(`${m.organisationId}:${r.publicId}`, {
        publicId: r.publicId,
        title: r.title,
        severity: r.severity,
        embargoUntil: r.embargoUntil,
        watchlist: m.watchlistName,
        matchReason: m.reason,
      });
    }
  }
  if (!inserts.length) return { warnings: 0 };
  return db.transaction().execute(async (tx) => {
    const inserted = await store.insertEarlyWarnings(tx, inserts);
    if (!inserted.length) return { warnings: 0 };
    const contacts = await store.contactsOf(tx, [...new Set(inserted.map((i) => i.organisation_id))]);
    const rows = inserted.flatMap((i) => {
      const line = lines.get(`${i.organisation_id}:${i.vuln_public_id}`);
      if (!line) return [];
      const m = earlyWarningMessage(line);
      return store.outboxRowsFor(
        i.organisation_id,
        contacts.get(i.organisation_id) ?? [],
        m.subject,
        m.body,
        at,
      );
    });
    await store.insertOutbox(tx, rows);
    return { warnings: inserted.length };
  });
}
