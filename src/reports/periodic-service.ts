/**
 * The monthly and annual reports (月报 / 年报): computed from the store for a month or a year (a live draft),
 * published (frozen) by an analyst, rendered as JSON / HTML / Markdown / PDF in zh or en — the bulletin's
 * machinery over a longer period. Reads check the bulletin rule first (published: anyone; draft: staff);
 * publishing needs bulletins:publish. Routes and the CLI call only this.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import { CLI, type Principal } from '../accounts/model.js';
import { requireAccess } from '../accounts/policy.js';
import { authorize } from '../accounts/resource-policy.js';
import { audit } from '../audit/audit.js';
import type { IncidentFigures } from '../incidents/service.js';
import type { PdfRenderer } from './pdf.js';
import { parsePeriod, shiftPeriod, trendMonths, type Period, type PeriodKind } from './period.js';
import { computePeriodic, type AllianceFigures, type DrillFigures, type PeriodicData } from './periodic.js';
import { renderPeriodicHtml, renderPeriodicMarkdown } from './periodic-render.js';
import { PERIODIC_RULES, type PeriodicRules } from './periodic-rules.js';
import { periodicLabels } from './periodic-text.js';
import * as pstore from './periodic-store.js';
import * as store from './store.js';
import type { Format, Rendered } from './service.js';
import { pick, type Lang, type PlatformSettings } from './text.js';

/** Incident figures of a period (the incidents capability's `figures`). */
export interface IncidentSource {
  figures(p: Principal, q: { period: string; at: string }): Promise<IncidentFigures>;
}
/**
 * Hooks for capabilities still being built: the alliance registry (src/alliance/) and drills. Absent, their
 * sections read "no data".
 */
export interface AllianceSource {
  periodFigures(db: Kysely<DB>, period: Period): Promise<AllianceFigures | null>;
}
export interface DrillSource {
  periodFigures(db: Kysely<DB>, period: Period): Promise<DrillFigures | null>;
}

export interface PeriodicReport {
  state: 'draft' | 'published';
  data: PeriodicData;
  generatedAt: string;
  publishedAt: string | null;
}

export interface PeriodicServiceDeps {
  db: Kysely<DB>;
  platform: PlatformSettings;
  incidents: IncidentSource;
  alliance?: AllianceSource;
  drills?: DrillSource;
  pdf?: PdfRenderer;
  rules?: Record<PeriodKind, PeriodicRules>;
  clock?: () => Date;
}

export function createPeriodicReportService(deps: PeriodicServiceDeps) {
  const { db, platform } = deps;
  const clock = deps.clock ?? (() => new Date());
  const rulesOf = (k: PeriodKind) => (deps.rules ?? PERIODIC_RULES)[k];

  /**
   * Counts only (no incident is named), of every TLP level: the platform's own principal. Read through the
   * incidents service on its own connection, so before a publishing transaction opens (an embedded database
   * has one connection, which the transaction holds).
   */
  const incidentFigures = (p: Period) => deps.incidents.figures(CLI, { period: p.kind, at: p.id });

  async function compute(tx: Kysely<DB>, p: Period, incidents: IncidentFigures): Promise<PeriodicData> {
    const rules = rulesOf(p.kind);
    const basis = rules.dateBasis;
    const prev = shiftPeriod(p, -1);
    const months = trendMonths(p, rules.trendMonths);
    const first = months[0] ?? p.id;
    const trendRange = { start: `${first}-01`, end: p.end };
    const [
      totals,
      previous,
      monthRows,
      objectTypes,
      industries,
      weaknesses,
      vendors,
      zeroDays,
      exploited,
      events,
      prevEvents,
      reporters,
      disposal,
      alliance,
      drills,
    ] = await Promise.all([
      pstore.totals(tx, basis, p),
      pstore.totals(tx, basis, prev),
      pstore.byMonth(tx, basis, trendRange),
      pstore.byObjectType(tx, basis, p),
      pstore.byIndustry(tx, basis, p),
      pstore.byWeakness(tx, basis, p),
      pstore.byVendorSpelling(tx, basis, p),
      pstore.examples(tx, basis, p, 'zero_day', rules.examples),
      pstore.examples(tx, basis, p, 'exploited', rules.examples),
      store.eventCount(tx, basis, p),
      store.eventCount(tx, basis, prev),
      store.reporters(tx, basis, p),
      pstore.disposalPerformance(tx, p),
      deps.alliance ? deps.alliance.periodFigures(tx, p) : Promise.resolve(null),
      deps.drills ? deps.drills.periodFigures(tx, p) : Promise.resolve(null),
    ]);
    return computePeriodic({
      period: p,
      rules,
      totals,
      previous,
      trendMonths: months,
      months: monthRows,
      objectTypes,
      industries,
      weaknesses,
      vendors,
      zeroDayExamples: zeroDays,
      exploitedExamples: exploited,
      events: { count: events, previous: prevEvents },
      reporters,
      disposal,
      incidents,
      alliance,
      drills,
    });
  }

  /** The period's report: the frozen one, or a draft computed now — if p may read it (checked before computing). */
  async function load(pr: Principal, period: Period): Promise<PeriodicReport> {
    const row = await pstore.getReport(db, period.id);
    const published = row?.state === 'published' && row.data !== null;
    authorize(pr, 'read', { type: 'bulletin', id: period.id, state: published ? 'published' : 'draft' });
    if (row?.state === 'published' && row.data)
      return {
        state: 'published',
        data: row.data as unknown as PeriodicData,
        generatedAt: row.publishedAt ?? row.updatedAt,
        publishedAt: row.publishedAt,
      };
    return {
      state: 'draft',
      data: await compute(db, period, await incidentFigures(period)),
      generatedAt: clock().toISOString(),
      publishedAt: null,
    };
  }

  async function get(pr: Principal, kind: PeriodKind, id: string): Promise<PeriodicReport> {
    return load(pr, parsePeriod(kind, id));
  }

  async function renderReport(r: PeriodicReport, lang: Lang, format: Format): Promise<Rendered> {
    const meta = { state: r.state, generatedAt: r.generatedAt, publishedAt: r.publishedAt };
    const name = `vulnshare-${r.data.kind === 'year' ? 'annual' : 'monthly'}-${r.data.id}-${lang}`;
    switch (format) {
      case 'json':
        return {
          contentType: 'application/json; charset=utf-8',
          body: JSON.stringify(
            {
              id: r.data.id,
              kind: r.data.kind,
              state: r.state,
              generatedAt: r.generatedAt,
              publishedAt: r.publishedAt,
              figures: r.data,
            },
            null,
            2,
          ),
          filename: `${name}.json`,
        };
      case 'html':
        return {
          contentType: 'text/html; charset=utf-8',
          body: renderPeriodicHtml(r.data, platform, lang, meta),
          filename: `${name}.html`,
        };
      case 'md':
        return {
          contentType: 'text/markdown; charset=utf-8',
          body: renderPeriodicMarkdown(r.data, platform, lang, meta),
          filename: `${name}.md`,
        };
      case 'pdf': {
        if (!deps.pdf) throw new AppError('unavailable', 'PDF rendering is not configured');
        const L = periodicLabels(r.data, platform, lang);
        const body = await deps.pdf.render(renderPeriodicHtml(r.data, platform, lang, meta), {
          page: L.page,
          title: `${pick(platform.name, lang)} · ${L.title} · ${L.issue}`,
        });
        return { contentType: 'application/pdf', body, filename: `${name}.pdf` };
      }
    }
  }

  /** One period's report rendered, and whether it is a draft (for caching): what the route returns. */
  async function read(
    pr: Principal,
    kind: PeriodKind,
    id: string,
    lang: Lang,
    format: Format,
  ): Promise<Rendered & { state: PeriodicReport['state'] }> {
    const r = await get(pr, kind, id);
    return { ...(await renderReport(r, lang, format)), state: r.state };
  }

  /** Freeze the period's figures as they are now; only once the period has ended. Publishing twice is a conflict. */
  async function publish(pr: Principal, kind: PeriodKind, id: string): Promise<PeriodicReport> {
    requireAccess(pr, 'bulletins:publish');
    const period = parsePeriod(kind, id);
    const now = clock();
    if (period.end >= now.toISOString().slice(0, 10))
      throw new AppError(
        'invalid_parameter',
        `${period.id} has not ended yet; a report is published once its period is over`,
        { parameter: 'id', value: period.id },
      );
    const incidents = await incidentFigures(period);
    await db.transaction().execute(async (tx) => {
      await pstore.ensureReport(tx, period, now.toISOString());
      const row = await pstore.getReport(tx, period.id, true);
      if (row?.state === 'published')
        throw new AppError(
          'already_published',
          `Report ${period.id} was already published at ${row.publishedAt ?? '?'}`,
          { id: period.id, publishedAt: row.publishedAt },
        );
      const data = await compute(tx, period, incidents);
      await pstore.markPublished(tx, period.id, data, now.toISOString());
      await audit(tx, pr, {
        action: 'periodic_report.published',
        targetKind: 'periodic_report',
        targetId: period.id,
      });
    });
    return load(pr, period);
  }

  return {
    get,
    read,
    /** The operator's render (the CLI's `report monthly|annual`): read(CLI, …). */
    render: (kind: PeriodKind, id: string, lang: Lang, format: Format) => read(CLI, kind, id, lang, format),
    publish,
    list: (limit = 100, kind?: PeriodKind) => pstore.listPublished(db, limit, kind),
  };
}

export type PeriodicReportService = ReturnType<typeof createPeriodicReportService>;
