/**
 * Platform advisories as a service. Analysts and admins write them ('advisories:write': create, edit, add and
 * remove records) and publish them ('advisories:publish': the first publication assigns the public id; a later
 * one publishes the next revision). Anyone reads a published advisory its TLP allows them (the CSAF provider's
 * rule: WHITE anyone, GREEN signed in, AMBER / RED by policy); drafts are for those who write them.
 *
 * Publishing re-checks, inside its transaction and with the advisory's row locked, that the advisory may go to
 * `published` and that every record is published, none under embargo and no CVE shared by two of them; the
 * revision and its audit row are written in the same transaction.
 */
import type { Kysely } from 'kysely';
import { actorName, type Principal } from '../accounts/model.js';
import { can, requireAccess } from '../accounts/policy.js';
import { audit } from '../audit/audit.js';
import { mayReadTlp, requireTlpAccess, type MemberCheck } from '../csaf/provider.js';
import { csafDocuments } from '../csaf/service.js';
import type { CsafDocument, CsafLang, CsafPublisher } from '../csaf/write.js';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import { exportRowsByPublicId } from '../exports/store.js';
import { cveIdsOf } from '../vulns/export-cve5.js';
import { normaliseId } from '../vulns/ids.js';
import type { Vulnerability } from '../vulns/model.js';
import { assertTransition } from '../workflow/state-machine.js';
import { toAdvisoryCsaf } from './csaf.js';
import {
  ADVISORY_ID,
  ADVISORY_LIMITS,
  ADVISORY_TLPS,
  ADVISORY_TRANSITIONS,
  advisoryPublicId,
  applyText,
  describePublishProblem,
  publishProblems,
  sameContent,
  type Advisory,
  type AdvisoryContent,
  type AdvisoryTextInput,
  type AdvisoryTlp,
  type RecordStanding,
} from './model.js';
import * as store from './store.js';

export interface AdvisoryServiceDeps {
  db: Kysely<DB>;
  publisher: CsafPublisher;
  clock?: () => Date;
  generatorVersion?: string;
  /** TLP:AMBER's audience: whether an organisation is an active alliance member (the CSAF provider's rule). */
  isAllianceMember?: MemberCheck;
}

export interface AdvisoryInput extends AdvisoryTextInput {
  vulnerabilityIds?: string[];
}

/** An advisory by its row id (a number, or digits) or its public id (VS-SA-…). */
export type AdvisoryRef = number | string;

const iso = (t: string | Date) => new Date(t).toISOString();

function refOf(ref: AdvisoryRef): { id: number } | { publicId: string } {
  if (typeof ref === 'number') return { id: ref };
  const s = ref.trim();
  if (/^\d{1,15}$/.test(s)) return { id: Number(s) };
  const up = s.toUpperCase();
  if (!ADVISORY_ID.test(up)) throw new AppError('not_found', `No advisory is known by "${ref}"`, { id: ref });
  return { publicId: up };
}

const contentOf = (row: store.AdvisoryRow, ids: string[]): AdvisoryContent => ({
  titleZh: row.title_zh,
  titleEn: row.title_en,
  summaryZh: row.summary_zh,
  summaryEn: row.summary_en,
  tlp: row.tlp as AdvisoryTlp,
  vulnerabilityIds: ids,
});

export type AdvisoryService = ReturnType<typeof createAdvisoryService>;

export function createAdvisoryService(deps: AdvisoryServiceDeps) {
  const { db, publisher } = deps;
  const clock = deps.clock ?? (() => new Date());

  async function views(tx: Kysely<DB>, rows: store.AdvisoryRow[]): Promise<Advisory[]> {
    const ids = rows.map((r) => Number(r.id));
    const records = await store.recordsOf(tx, ids);
    const revisions = await store.revisionsOf(tx, ids);
    return rows.map((r) => {
      const content = contentOf(r, records.get(Number(r.id)) ?? []);
      const revs = (revisions.get(Number(r.id)) ?? []).map((x) => ({
        number: x.number,
        at: iso(x.at),
        summary: x.summary,
        actor: x.actor,
        content: x.content,
      }));
      const last = revs.at(-1);
      return {
        id: Number(r.id),
        publicId: r.public_id,
        status: r.status,
        ...content,
        createdBy: r.created_by,
        createdAt: iso(r.created_at),
        updatedAt: iso(r.updated_at),
        publishedAt: r.published_at ? iso(r.published_at) : null,
        revisions: revs,
        pendingChanges: !!last && !sameContent(content, last.content),
      };
    });
  }

  async function rowOf(tx: Kysely<DB>, ref: AdvisoryRef, forUpdate = false): Promise<store.AdvisoryRow> {
    const row = await store.advisoryByRef(tx, refOf(ref), forUpdate);
    if (!row) throw new AppError('not_found', `No advisory is known by "${String(ref)}"`, { id: ref });
    return row;
  }

  /** A published advisory the principal's TLP allows, or any advisory for those who write them. */
  async function requireRead(p: Principal, row: store.AdvisoryRow): Promise<void> {
    if (can(p, 'advisories:write')) return;
    if (row.status !== 'published') requireAccess(p, 'advisories:write');
    // what a reader sees is the last published revision: its TLP decides, not the working copy's
    await requireTlpAccess(p, (row.published_tlp ?? row.tlp) as AdvisoryTlp, deps.isAllianceMember);
  }

  /** Where each id stands; `ids` normalised. */
  async function standings(tx: Kysely<DB>, ids: string[]): Promise<RecordStanding[]> {
    return (await store.lookUpRecords(tx, ids)).map((l): RecordStanding => {
      if (l.vulnerability) {
        const id = l.vulnerability.publicId;
        if (l.vulnerability.state !== 'published') return { id, kind: 'rejected' };
        const cve = cveIdsOf(l.vulnerability.doc as Vulnerability)[0];
        return { id, kind: 'published', cves: cve ? [cve] : [] };
      }
      if (l.unpublishedReport)
        return { id: l.asked, kind: 'unpublished', until: l.unpublishedReport.embargoUntil };
      return { id: l.asked, kind: 'unknown' };
    });
  }

  /** The records to add, by their public ids: known ones, not rejected, no CVE already in the advisory. */
  async function checkAdditions(tx: Kysely<DB>, existing: string[], raw: string[]): Promise<string[]> {
    const asked = Array.from(new Set(raw.map(normaliseId).filter(Boolean)));
    const found = await standings(tx, asked);
    const unknown = found.filter((s) => s.kind === 'unknown').map((s) => s.id);
    if (unknown.length)
      throw new AppError('not_found', `No record is known by ${unknown.join(', ')}`, { ids: unknown });
    const rejected = found.filter((s) => s.kind === 'rejected').map((s) => s.id);
    if (rejected.length)
      throw new AppError(
        'rejected_record',
        `${rejected.join(', ')} rejected: a rejected record has no advisory`,
        {
          ids: rejected,
        },
      );
    const add = Array.from(new Set(found.map((s) => s.id))).filter((id) => !existing.includes(id));
    const all = [...existing, ...add];
    if (all.length > ADVISORY_LIMITS.records)
      throw new AppError(
        'invalid_parameter',
        `an advisory holds at most ${ADVISORY_LIMITS.records} records`,
        {
          parameter: 'vulnerabilityIds',
        },
      );
    const clash = publishProblems(await standings(tx, all), clock()).filter(
      (p) => p.reason === 'same_cve' && (add.includes(p.id) || add.includes(p.with ?? '')),
    );
    if (clash.length)
      throw new AppError('advisory_not_publishable', clash.map(describePublishProblem).join('; '), {
        problems: clash,
      });
    return add;
  }

  async function create(p: Principal, input: AdvisoryInput): Promise<Advisory> {
    requireAccess(p, 'advisories:write');
    const text = applyText(
      { titleZh: null, titleEn: null, summaryZh: null, summaryEn: null, tlp: 'WHITE' },
      input,
    );
    return db.transaction().execute(async (tx) => {
      const at = clock().toISOString();
      const row = await store.insertAdvisory(tx, {
        title_zh: text.titleZh,
        title_en: text.titleEn,
        summary_zh: text.summaryZh,
        summary_en: text.summaryEn,
        tlp: text.tlp,
        created_by: actorName(p),
        created_at: at,
      });
      const add = await checkAdditions(tx, [], input.vulnerabilityIds ?? []);
      await store.addRecords(tx, Number(row.id), add, at);
      await audit(tx, p, {
        action: 'advisory.created',
        targetKind: 'advisory',
        targetId: Number(row.id),
        detail: { records: add },
      });
      const [v] = await views(tx, [row]);
      if (!v) throw new AppError('internal', 'advisory vanished');
      return v;
    });
  }

  /** Edit titles, summaries or TLP (of a draft, or of a published advisory's next revision). */
  async function update(p: Principal, ref: AdvisoryRef, patch: AdvisoryTextInput): Promise<Advisory> {
    requireAccess(p, 'advisories:write');
    return db.transaction().execute(async (tx) => {
      const row = await rowOf(tx, ref, true);
      const text = applyText(contentOf(row, []), patch);
      const at = clock().toISOString();
      await store.updateText(
        tx,
        Number(row.id),
        {
          title_zh: text.titleZh,
          title_en: text.titleEn,
          summary_zh: text.summaryZh,
          summary_en: text.summaryEn,
          tlp: text.tlp,
        },
        at,
      );
      await audit(tx, p, {
        action: 'advisory.edited',
        targetKind: 'advisory',
        targetId: Number(row.id),
        detail: { fields: Object.keys(patch) },
      });
      return one(tx, Number(row.id));
    });
  }

  async function one(tx: Kysely<DB>, id: number): Promise<Advisory> {
    const row = await rowOf(tx, id);
    const [v] = await views(tx, [row]);
    if (!v) throw new AppError('internal', 'advisory vanished');
    return v;
  }

  async function addRecords(p: Principal, ref: AdvisoryRef, ids: string[]): Promise<Advisory> {
    requireAccess(p, 'advisories:write');
    return db.transaction().execute(async (tx) => {
      const row = await rowOf(tx, ref, true);
      const existing = (await store.recordsOf(tx, [Number(row.id)])).get(Number(row.id)) ?? [];
      const add = await checkAdditions(tx, existing, ids);
      const at = clock().toISOString();
      await store.addRecords(tx, Number(row.id), add, at);
      await store.touch(tx, Number(row.id), at);
      await audit(tx, p, {
        action: 'advisory.records_added',
        targetKind: 'advisory',
        targetId: Number(row.id),
        detail: { records: add },
      });
      return one(tx, Number(row.id));
    });
  }

  async function removeRecord(p: Principal, ref: AdvisoryRef, recordId: string): Promise<Advisory> {
    requireAccess(p, 'advisories:write');
    return db.transaction().execute(async (tx) => {
      const row = await rowOf(tx, ref, true);
      const id = normaliseId(recordId);
      const existing = (await store.recordsOf(tx, [Number(row.id)])).get(Number(row.id)) ?? [];
      // the record as the advisory holds it: by its public id, or by an alias of it
      const held = existing.includes(id)
        ? id
        : (await standings(tx, [id])).map((s) => s.id).find((x) => existing.includes(x));
      if (!held || !(await store.removeRecord(tx, Number(row.id), held)))
        throw new AppError('not_found', `${recordId} is not in this advisory`, { id: recordId });
      await store.touch(tx, Number(row.id), clock().toISOString());
      await audit(tx, p, {
        action: 'advisory.record_removed',
        targetKind: 'advisory',
        targetId: Number(row.id),
        detail: { record: held },
      });
      return one(tx, Number(row.id));
    });
  }

  /**
   * Publish: the first time, the public id and revision 1; afterwards the next revision (tracking version),
   * only when something changed. `summary` says what changed (the writer's words when absent).
   */
  async function publish(p: Principal, ref: AdvisoryRef, opts: { summary?: string } = {}): Promise<Advisory> {
    requireAccess(p, 'advisories:publish');
    const summary = opts.summary?.trim() || null;
    if (summary && summary.length > ADVISORY_LIMITS.revisionSummary)
      throw new AppError(
        'invalid_parameter',
        `summary is longer than ${ADVISORY_LIMITS.revisionSummary} characters`,
        { parameter: 'summary' },
      );
    return db.transaction().execute(async (tx) => {
      const row = await rowOf(tx, ref, true);
      assertTransition(ADVISORY_TRANSITIONS, row.status, 'published', 'An advisory in status');
      const id = Number(row.id);
      const content = contentOf(row, (await store.recordsOf(tx, [id])).get(id) ?? []);
      if (content.vulnerabilityIds.length === 0)
        throw new AppError('advisory_not_publishable', 'An advisory without records cannot be published', {
          id,
        });
      const now = clock();
      const problems = publishProblems(await standings(tx, content.vulnerabilityIds), now);
      // only embargoed records stand in the way: the fact a client can act on (wait for the embargo's end)
      const embargoes = problems.flatMap((x) => (x.reason === 'embargoed' ? [x] : []));
      if (problems.length && embargoes.length === problems.length)
        throw new AppError('embargoed', problems.map(describePublishProblem).join('; '), {
          problems,
          ids: embargoes.map((x) => x.id),
          until: embargoes
            .map((x) => x.until)
            .sort()
            .at(-1),
        });
      if (problems.length)
        throw new AppError(
          'advisory_not_publishable',
          `The advisory cannot be published: ${problems.map(describePublishProblem).join('; ')}`,
          { problems },
        );
      const revisions = (await store.revisionsOf(tx, [id])).get(id) ?? [];
      const last = revisions.at(-1);
      if (last && sameContent(content, last.content))
        throw new AppError('advisory_not_publishable', 'Nothing changed since the last revision', {
          id,
          revision: last.number,
        });
      const at = now.toISOString();
      let publicId = row.public_id;
      if (!publicId) {
        const year = now.getUTCFullYear();
        publicId = advisoryPublicId(year, await store.nextNumber(tx, year));
        await store.markPublished(tx, id, publicId, content.tlp, at);
      } else await store.markRevised(tx, id, content.tlp, at);
      const number = (last?.number ?? 0) + 1;
      await store.insertRevision(tx, {
        advisory_id: id,
        number,
        at,
        summary,
        actor: actorName(p),
        content,
      });
      await audit(tx, p, {
        action: number === 1 ? 'advisory.published' : 'advisory.revised',
        targetKind: 'advisory',
        targetId: publicId,
        detail: { revision: number, records: content.vulnerabilityIds.length, tlp: content.tlp },
      });
      return one(tx, id);
    });
  }

  async function get(p: Principal, ref: AdvisoryRef): Promise<Advisory> {
    const row = await rowOf(db, ref);
    await requireRead(p, row);
    const [v] = await views(db, [row]);
    if (!v) throw new AppError('internal', 'advisory vanished');
    return v;
  }

  /** Newest first; drafts only for those who write them, published ones as their TLP allows. */
  async function list(
    p: Principal,
    q: { status?: 'draft' | 'published'; before?: number; limit?: number } = {},
  ): Promise<Advisory[]> {
    const staff = can(p, 'advisories:write');
    if (q.status === 'draft' && !staff) requireAccess(p, 'advisories:write');
    const tlps = staff
      ? undefined
      : (
          await Promise.all(
            ADVISORY_TLPS.map(async (tlp) =>
              (await mayReadTlp(p, tlp, deps.isAllianceMember)) ? tlp : null,
            ),
          )
        ).filter((t): t is AdvisoryTlp => t !== null);
    const rows = await store.listAdvisories(db, {
      ...(staff ? (q.status ? { status: q.status } : {}) : { status: 'published' as const }),
      ...(tlps ? { publishedTlps: [...tlps] } : {}),
      ...(q.before !== undefined ? { before: q.before } : {}),
      limit: Math.min(Math.max(q.limit ?? 50, 1), 500),
    });
    return views(db, rows);
  }

  /** The CSAF document of what a published advisory's last revision published. */
  async function documentOf(row: store.AdvisoryRow, lang?: CsafLang): Promise<CsafDocument> {
    if (row.status !== 'published' || !row.public_id)
      throw new AppError('advisory_draft', 'A draft has no CSAF document: publish it first', {
        id: Number(row.id),
      });
    const revisions = (await store.revisionsOf(db, [Number(row.id)])).get(Number(row.id)) ?? [];
    const last = revisions.at(-1);
    if (!last) throw new AppError('internal', `advisory ${row.public_id} has no revision`);
    const content = last.content;
    const language: CsafLang = lang ?? (content.titleZh ? 'zh' : 'en');
    const rows = await exportRowsByPublicId(db, content.vulnerabilityIds);
    const records = (await csafDocuments(db, rows, { publisher, lang: language })).filter(
      (d): d is CsafDocument => d !== null,
    );
    return toAdvisoryCsaf(
      {
        publicId: row.public_id,
        content,
        revisions: revisions.map((r) => ({ number: r.number, at: iso(r.at), summary: r.summary })),
        records,
      },
      {
        publisher,
        lang: language,
        ...(deps.generatorVersion ? { generatorVersion: deps.generatorVersion } : {}),
      },
    );
  }

  async function csaf(p: Principal, ref: AdvisoryRef, lang?: CsafLang): Promise<CsafDocument> {
    const row = await rowOf(db, ref);
    await requireRead(p, row);
    return documentOf(row, lang);
  }

  /**
   * Every published advisory's document of one TLP (for a CSAF provider's directory): the TLP its last
   * revision published, not the working copy's — an AMBER advisory edited to WHITE stays AMBER until the
   * revision that makes it WHITE is published, then it is listed under WHITE only.
   */
  async function publishedDocuments(tlp: AdvisoryTlp): Promise<CsafDocument[]> {
    const out: CsafDocument[] = [];
    for (let before: number | undefined; ;) {
      const rows = await store.listAdvisories(db, {
        status: 'published',
        publishedTlps: [tlp],
        limit: 200,
        ...(before !== undefined ? { before } : {}),
      });
      for (const r of rows) out.push(await documentOf(r));
      if (rows.length < 200) return out;
      before = Number(rows.at(-1)?.id);
    }
  }

  return { create, update, addRecords, removeRecord, publish, get, list, csaf, publishedDocuments };
}
