/**
 * Submissions (报送): intake from reporters, duplicate candidates, triage and verification through the workflow
 * table, ids in the platform's namespace, attachments stored by content hash. Every function checks the role
 * first, then the submission rule (accounts/resource-policy.ts) once the row is loaded; every change writes its
 * transition and audit rows in the same transaction.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import { individualDisplayName, type Principal } from '../accounts/model.js';
import { can, requireAccess, requireAnyAccess } from '../accounts/policy.js';
import { authorize } from '../accounts/resource-policy.js';
import { audit } from '../audit/audit.js';
import { scoreCvss } from '../cvss/cvss.js';
import { severityFromScore } from '../cvss/bands.js';
import { vendorKey, weaknessFromTitle } from '../classify/index.js';
import { productKey } from '../vulns/row.js';
import { calendarDay } from '../vulns/calendar.js';
import { normaliseId } from '../vulns/ids.js';
import { affectedPoints, rankCandidates, type DedupSubject } from './dedup.js';
import { DEFAULT_ID_FORMAT, formatVulnId, trackingNumber, type DelegatedIds, type IdFormat } from './ids.js';
import * as store from './store.js';
import { writeRecordsIn } from '../imports/pipeline.js';
import { alertPublished } from '../watchlists/alerts.js';
import { createCoordinationService, type CoordinationService } from '../coordination/service.js';
import * as accounts from '../accounts/store.js';
import * as disposal from '../coordination/store.js';
import type { Severity, SourceRecord } from '../vulns/model.js';
import { isState } from '../workflow/state-machine.js';
import { findTransition, nextStates, STATES, type State } from './workflow.js';

export const KINDS = ['general', 'event'] as const;
export const ORIGINALITY = ['original', 'collected'] as const;

/** Attachments: size limit and the content types accepted, with the magic bytes that must match. */
export const ATTACHMENT_RULES = {
  maxBytes: 10 * 1024 * 1024,
  types: {
    'text/plain': null,
    'application/json': null,
    'application/pdf': '%PDF-',
    'image/png': '\x89PNG',
    'image/jpeg': '\xff\xd8\xff',
    'application/zip': 'PK\x03\x04',
  } as Record<string, string | null>,
} as const;

export interface SubmissionInput {
  kind: (typeof KINDS)[number];
  title: string;
  vendor?: string;
  product?: string;
  version?: string;
  affectedOrganisation?: string;
  affectedSystem?: string;
  description: string;
  reproduction?: string;
  poc?: string;
  cveId?: string;
  cvssVector?: string;
  originality: (typeof ORIGINALITY)[number];
  sourceUrl?: string;
}

export interface TransitionInput {
  to: State;
  note?: string;
  reason?: string;
  duplicateOf?: string;
  verification?: {
    environment: string;
    steps: string;
    result: 'reproduced' | 'not_reproduced';
    pocUrl?: string;
    verifier: string;
  };
}

const nonEmpty = (s: string | undefined): s is string => !!s && s.trim().length > 0;

function checkInput(i: SubmissionInput): string[] {
  const p: string[] = [];
  if (!nonEmpty(i.title)) p.push('title must not be empty');
  if (!nonEmpty(i.description)) p.push('description must not be empty');
  if (i.kind === 'general' && !(nonEmpty(i.vendor) && nonEmpty(i.product)))
    p.push('a general (通用型) report names vendor and product');
  if (i.kind === 'event' && !(nonEmpty(i.affectedOrganisation) && nonEmpty(i.affectedSystem)))
    p.push('an event (事件型) report names affectedOrganisation and affectedSystem (URL or host)');
  if (i.originality === 'collected' && !(i.sourceUrl && /^https?:\/\//.test(i.sourceUrl)))
    p.push('a report collected from a public source gives its sourceUrl (http/https)');
  if (i.cveId && !/^CVE-\d{4}-\d{4,}$/i.test(i.cveId.trim())) p.push(`cveId "${i.cveId}" is not a CVE id`);
  return p;
}

export interface SubmissionServiceDeps {
  db: Kysely<DB>;
  clock?: () => Date;
  idFormat?: IdFormat;
  /** numbers a peer delegated to us come before our own series (peers/delegation.ts) */
  delegatedIds?: DelegatedIds;
  /**
   * Event-type findings notify the affected organisation on verification, in the verifying transaction: the
   * platform's coordination service; without one, a coordination service is built from `disposal` (its links'
   * base URL and SLA).
   */
  coordination?: Pick<CoordinationService, 'notifyAffectedOrganisation'>;
  disposal?: { publicUrl: string; sla?: Record<Severity | 'unrated', number> };
}

export function createSubmissionService(deps: SubmissionServiceDeps) {
  const { db } = deps;
  const clock = deps.clock ?? (() => new Date());
  const idFormat = deps.idFormat ?? DEFAULT_ID_FORMAT;
  const coordination =
    deps.coordination ??
    createCoordinationService({
      db,
      publicUrl: deps.disposal?.publicUrl ?? 'http://127.0.0.1:8080',
      clock,
      ...(deps.disposal?.sla ? { sla: deps.disposal.sla } : {}),
    });

  const userOf = (p: Principal) => (p.kind === 'user' ? p : null);
  const isOwn = (p: Principal, row: store.SubmissionRow) => p.kind === 'user' && p.userId === row.reporter_id;

  /**
   * The row and the side p acts on, if the submission rule lets p `verb` it (read: an analyst or its reporter;
   * update: an analyst triaging or its reporter answering) — not_found otherwise, so a reporter cannot probe
   * others' tracking numbers.
   */
  async function authorized(
    tx: Kysely<DB>,
    p: Principal,
    verb: 'read' | 'update',
    trackingNo: string,
    forUpdate = false,
  ) {
    const row = await store.byTracking(tx, trackingNo, forUpdate);
    if (!row) throw new AppError('not_found', `No submission ${trackingNo}`, { trackingNo });
    const as = authorize(p, verb, { type: 'submission', trackingNo, reporterId: row.reporter_id });
    return { row, as };
  }

  function dedupSubject(r: store.SubmissionRow): DedupSubject {
    return {
      id: r.tracking_no,
      title: r.title,
      vendorKey: r.vendor_key,
      productKey: r.product_key,
      cwe: r.weakness_cwe,
      weakness: r.weakness_zh,
      cveId: r.cve_id,
      points: affectedPoints(`${r.title}\n${r.description}`),
    };
  }

  async function candidates(tx: Kysely<DB>, row: store.SubmissionRow) {
    const pool = await store.dedupPool(tx, { id: row.id, vendorKey: row.vendor_key, cveId: row.cve_id });
    const subject = dedupSubject(row);
    const fromVulns: DedupSubject[] = pool.vulns.map((v) => {
      const title = v.title ?? v.public_id;
      const w = weaknessFromTitle(title);
      return {
        id: v.public_id,
        title,
        vendorKey: v.vendors[0] ?? null,
        productKey: v.products.find((x) => row.product_key && x === row.product_key) ?? v.products[0] ?? null,
        cwe: v.cwes[0] ?? w?.cwe ?? null,
        weakness: w?.nameZh ?? null,
        cveId: v.aliases.find((a) => a === row.cve_id) ?? v.aliases.find((a) => a.startsWith('CVE-')) ?? null,
        points: affectedPoints(`${title}\n${v.description ?? ''}`),
      };
    });
    return rankCandidates(subject, [...pool.submissions.map(dedupSubject), ...fromVulns]).map((c) => ({
      id: c.id,
      title: c.title,
      score: c.score,
      kind: c.id.startsWith('S-') ? ('submission' as const) : ('vulnerability' as const),
    }));
  }

  async function view(tx: Kysely<DB>, p: Principal, row: store.SubmissionRow) {
    const analyst = can(p, 'submissions:read_all');
    return {
      trackingNo: row.tracking_no,
      kind: row.kind,
      state: row.state,
      stateReason: row.state_reason,
      title: row.title,
      vendor: row.vendor,
      product: row.product,
      version: row.version,
      affectedOrganisation: row.affected_org,
      affectedSystem: row.affected_system,
      description: row.description,
      reproduction: row.reproduction,
      poc: row.poc,
      cveId: row.cve_id,
      cvss: row.cvss_vector
        ? {
            vector: row.cvss_vector,
            version: row.cvss_version,
            score: row.cvss_score,
            severity: row.severity,
          }
        : null,
      weakness:
        row.weakness_cwe || row.weakness_zh ? { cwe: row.weakness_cwe, nameZh: row.weakness_zh } : null,
      originality: row.originality,
      sourceUrl: row.source_url,
      vulnerabilityId: row.vuln_public_id,
      embargoUntil: row.embargo_until,
      publishedAt: row.published_at,
      duplicateOf: row.duplicate_of ? await store.trackingNoOf(tx, row.duplicate_of) : null,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      timeline: (await store.transitions(tx, row.id)).map((t) => ({
        at: t.at,
        // reporters see that an analyst acted, not who
        actor: analyst || t.actor === (userOf(p)?.email ?? '') ? t.actor : 'coordinator',
        from: t.from_state,
        to: t.to_state,
        note: t.note,
      })),
      verifications: analyst ? await store.verificationsOf(tx, row.id) : [],
      attachments: await store.attachmentsOf(tx, row.id),
      next: analyst
        ? nextStates(row.state, 'analyst')
        : isOwn(p, row)
          ? nextStates(row.state, 'reporter')
          : [],
      ...(analyst ? { assigneeId: row.assignee_id, duplicateCandidates: await candidates(tx, row) } : {}),
    };
  }
  type View = Awaited<ReturnType<typeof view>>;

  async function submit(p: Principal, input: SubmissionInput): Promise<View> {
    requireAccess(p, 'submissions:create');
    const u = userOf(p);
    if (!u)
      throw new AppError(
        'user_account_required',
        'Submissions come from signed-in users; use the API or the web form',
      );
    const problems = checkInput(input);
    let cvss: ReturnType<typeof scoreCvss> | null = null;
    if (input.cvssVector) {
      try {
        cvss = scoreCvss({ vector: input.cvssVector.trim() });
      } catch (e) {
        problems.push(`cvssVector: ${(e as Error).message}`);
      }
    }
    if (problems.length)
      throw new AppError('invalid_parameter', problems.join('; '), { parameter: 'submission', problems });
    const now = clock();
    const weakness = weaknessFromTitle(input.title);
    return db.transaction().execute(async (tx) => {
      const row = await store.insertSubmission(tx, {
        tracking_no: trackingNumber(calendarDay(now.toISOString())),
        reporter_id: u.userId,
        reporter_org_id: u.organisationId,
        kind: input.kind,
        title: input.title.trim(),
        vendor: input.vendor?.trim() || null,
        product: input.product?.trim() || null,
        version: input.version?.trim() || null,
        affected_org: input.affectedOrganisation?.trim() || null,
        affected_system: input.affectedSystem?.trim() || null,
        description: input.description,
        reproduction: input.reproduction ?? null,
        poc: input.poc ?? null,
        cve_id: input.cveId ? normaliseId(input.cveId) : null,
        cvss_vector: cvss?.vector ?? null,
        cvss_version: cvss?.version ?? null,
        cvss_score: cvss?.baseScore ?? null,
        severity: cvss ? severityFromScore(cvss.baseScore) : null,
        weakness_cwe: weakness?.cwe ?? null,
        weakness_zh: weakness?.nameZh ?? null,
        originality: input.originality,
        source_url: input.sourceUrl ?? null,
        state_reason: null,
        assignee_id: null,
        duplicate_of: null,
        vuln_public_id: null,
        vendor_key: input.vendor ? vendorKey(input.vendor) : null,
        product_key: input.product ? productKey(input.product) : null,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
      });
      await store.addTransition(tx, {
        submission_id: row.id,
        actor_id: u.userId,
        actor: u.email,
        from_state: null,
        to_state: 'submitted',
        note: null,
        at: now.toISOString(),
      });
      await audit(tx, p, {
        action: 'submission.created',
        targetKind: 'submission',
        targetId: row.tracking_no,
      });
      return view(tx, p, row);
    });
  }

  async function get(p: Principal, trackingNo: string): Promise<View> {
    requireAnyAccess(p, ['submissions:read_all', 'submissions:read_own']);
    const { row } = await authorized(db, p, 'read', trackingNo);
    return view(db, p, row);
  }

  async function listFor(
    p: Principal,
    f: { state?: string; mine?: boolean; limit?: number; before?: number } = {},
  ) {
    requireAnyAccess(p, ['submissions:read_all', 'submissions:read_own']);
    const state = f.state ? f.state : undefined;
    if (state !== undefined && !isState(STATES, state))
      throw new AppError('invalid_parameter', `state must be one of ${STATES.join(', ')}`, {
        parameter: 'state',
      });
    const all = can(p, 'submissions:read_all') && !f.mine;
    if (!all) requireAccess(p, 'submissions:read_own');
    const u = userOf(p);
    if (!all && !u) return [];
    const rows = await store.list(db, {
      ...(all ? {} : { reporterId: u?.userId ?? -1 }),
      ...(state ? { state } : {}),
      limit: Math.min(f.limit ?? 50, 500),
      ...(f.before ? { before: f.before } : {}),
    });
    return rows.map((r) => ({
      trackingNo: r.tracking_no,
      kind: r.kind,
      state: r.state,
      title: r.title,
      severity: r.severity,
      vulnerabilityId: r.vuln_public_id,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

  async function transition(p: Principal, trackingNo: string, t: TransitionInput): Promise<View> {
    requireAnyAccess(p, ['submissions:triage', 'submissions:update_own']);
    if (!(STATES as readonly string[]).includes(t.to))
      throw new AppError('invalid_parameter', `to must be one of ${STATES.join(', ')}`, { parameter: 'to' });
    if (t.to === 'published')
      throw new AppError(
        'invalid_parameter',
        'Publish with POST …/publish: it also writes the public record',
        {
          parameter: 'to',
        },
      );
    return db.transaction().execute(async (tx) => {
      const { row, as } = await authorized(tx, p, 'update', trackingNo, true);
      const from = row.state;
      const by = as === 'coordinator' ? 'analyst' : 'reporter';
      const rule = findTransition(from, t.to, by);
      if (!rule)
        throw new AppError(
          'invalid_transition',
          `A submission in state ${from} cannot go to ${t.to}${by === 'reporter' ? ' by its reporter' : ''}`,
          { from, to: t.to, by, allowed: nextStates(from, by) },
        );
      const missing = (rule.requires ?? []).filter((r) =>
        r === 'verification' ? !t.verification : r === 'duplicateOf' ? !t.duplicateOf : !nonEmpty(t[r]),
      );
      if (missing.length)
        throw new AppError('invalid_parameter', `Going to ${t.to} needs ${missing.join(', ')}`, {
          parameter: missing[0],
        });
      const now = clock().toISOString();
      const patch: Parameters<typeof store.setState>[2] = { state: t.to };
      if (t.to === 'rejected') patch.state_reason = t.reason ?? null;
      if (t.to === 'duplicate') {
        const canonical = await store.byTracking(tx, t.duplicateOf ?? '');
        if (!canonical || canonical.id === row.id)
          throw new AppError('invalid_parameter', `duplicateOf: no other submission ${t.duplicateOf ?? ''}`, {
            parameter: 'duplicateOf',
          });
        // the earliest original report keeps the credit: a later report cannot be its canonical
        if (
          row.originality === 'original' &&
          canonical.id > row.id &&
          canonical.reporter_id !== row.reporter_id
        )
          throw new AppError(
            'duplicate_of_later_report',
            `${row.tracking_no} came first and is original: mark ${canonical.tracking_no} as the duplicate instead, so the earliest report keeps the credit`,
            { parameter: 'duplicateOf', trackingNo: row.tracking_no, canonical: canonical.tracking_no },
          );
        patch.duplicate_of = canonical.id;
      }
      if (t.to === 'verified' && t.verification) {
        const v = t.verification;
        if (![v.environment, v.steps, v.verifier].every(nonEmpty))
          throw new AppError('invalid_parameter', 'verification needs environment, steps and verifier', {
            parameter: 'verification',
          });
        if (v.result !== 'reproduced')
          throw new AppError(
            'invalid_parameter',
            'a verification that did not reproduce cannot verify; reject or ask for information',
            {
              parameter: 'verification.result',
            },
          );
        await store.addVerification(tx, {
          submission_id: row.id,
          environment: v.environment,
          steps: v.steps,
          result: v.result,
          poc_url: v.pocUrl ?? null,
          verifier: v.verifier,
          verified_by: userOf(p)?.userId ?? null,
        });
        if (row.kind === 'general' && !row.vuln_public_id) {
          const year = Number(calendarDay(now).slice(0, 4));
          patch.vuln_public_id =
            (await deps.delegatedIds?.take(tx, year)) ??
            formatVulnId(idFormat, year, await store.nextNumber(tx, idFormat.prefix, year));
        }
      }
      await store.setState(tx, row.id, patch, now);
      await store.addTransition(tx, {
        submission_id: row.id,
        actor_id: userOf(p)?.userId ?? null,
        actor: userOf(p)?.email ?? p.kind,
        from_state: from,
        to_state: t.to,
        note: t.note ?? t.reason ?? null,
        at: now,
      });
      await audit(tx, p, {
        action: `submission.${t.to}`,
        targetKind: 'submission',
        targetId: row.tracking_no,
        detail: { from, to: t.to, ...(patch.vuln_public_id ? { id: patch.vuln_public_id } : {}) },
      });
      if (t.to === 'verified' && row.kind === 'event')
        await coordination.notifyAffectedOrganisation(tx, p, row);
      const updated = await store.byTracking(tx, trackingNo);
      if (!updated) throw new AppError('internal', 'submission vanished');
      return view(tx, p, updated);
    });
  }

  async function assign(p: Principal, trackingNo: string, assigneeId: number | null): Promise<View> {
    requireAccess(p, 'submissions:triage');
    return db.transaction().execute(async (tx) => {
      const { row } = await authorized(tx, p, 'update', trackingNo, true);
      if (assigneeId !== null) {
        const a = await accounts.userRole(tx, assigneeId);
        if (!a || a.disabled || !['analyst', 'admin'].includes(a.role))
          throw new AppError('invalid_parameter', `User ${assigneeId} is not an active analyst`, {
            parameter: 'assigneeId',
          });
      }
      await store.setState(tx, row.id, { assignee_id: assigneeId }, clock().toISOString());
      await audit(tx, p, {
        action: 'submission.assigned',
        targetKind: 'submission',
        targetId: trackingNo,
        detail: { assigneeId },
      });
      return view(tx, p, { ...row, assignee_id: assigneeId });
    });
  }

  async function attach(
    p: Principal,
    trackingNo: string,
    file: { filename: string; contentType: string; content: Buffer },
  ): Promise<{ sha256: string; size: number }> {
    requireAnyAccess(p, ['submissions:triage', 'submissions:update_own']);
    const type = file.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
    if (!(type in ATTACHMENT_RULES.types))
      throw new AppError(
        'invalid_parameter',
        `attachment type ${type || '(none)'} is not accepted (${Object.keys(ATTACHMENT_RULES.types).join(', ')})`,
        {
          parameter: 'content-type',
        },
      );
    if (file.content.length === 0 || file.content.length > ATTACHMENT_RULES.maxBytes)
      throw new AppError(
        'invalid_parameter',
        `attachment must be 1 byte to ${ATTACHMENT_RULES.maxBytes / 1048576} MiB`,
        {
          parameter: 'size',
        },
      );
    const magic = ATTACHMENT_RULES.types[type];
    if (magic && file.content.subarray(0, magic.length).toString('latin1') !== magic)
      throw new AppError('invalid_parameter', `attachment content is not ${type}`, { parameter: 'content' });
    if (magic === null && type.startsWith('text/') && file.content.includes(0))
      throw new AppError('invalid_parameter', 'a text attachment must not contain NUL bytes', {
        parameter: 'content',
      });
    const filename = file.filename.replace(/[/\\\0]/g, '_').slice(0, 200) || 'attachment';
    const sha256 = createHash('sha256').update(file.content).digest('hex');
    await db.transaction().execute(async (tx) => {
      const { row } = await authorized(tx, p, 'update', trackingNo, true);
      await store.putBlob(tx, {
        sha256,
        size: file.content.length,
        content_type: type,
        content: file.content,
      });
      await store.linkAttachment(tx, { submission_id: row.id, sha256, filename });
      await audit(tx, p, {
        action: 'submission.attachment_added',
        targetKind: 'submission',
        targetId: trackingNo,
        detail: { sha256, filename },
      });
    });
    return { sha256, size: file.content.length };
  }

  async function attachment(p: Principal, trackingNo: string, sha: string) {
    requireAnyAccess(p, ['submissions:read_all', 'submissions:read_own']);
    const { row } = await authorized(db, p, 'read', trackingNo);
    const b = await store.blobOf(db, row.id, sha);
    if (!b) throw new AppError('not_found', `No attachment ${sha} on ${trackingNo}`);
    return b;
  }

  /** The public record a published submission becomes (source vulnshare; its id in the platform's namespace). */
  async function publicRecord(tx: Kysely<DB>, row: store.SubmissionRow, at: string): Promise<SourceRecord> {
    const id = row.vuln_public_id ?? row.tracking_no;
    const org = row.reporter_org_id ? await accounts.organisationById(tx, row.reporter_org_id) : undefined;
    const fixUrls = await disposal.fixUrlsOf(tx, row.id);
    return {
      source: 'vulnshare',
      key: id,
      aliases: [id, ...(row.cve_id ? [row.cve_id] : [])],
      state: 'published',
      titleZh: row.title,
      descriptionZh: row.description,
      products:
        row.kind === 'general' && row.vendor && row.product
          ? [{ vendor: row.vendor, product: row.product, versions: row.version ? [row.version] : [] }]
          : [],
      weaknesses:
        row.weakness_cwe || row.weakness_zh
          ? [{ cwe: row.weakness_cwe, ...(row.weakness_zh ? { nameZh: row.weakness_zh } : {}) }]
          : [],
      cvss: row.cvss_vector ? [{ vector: row.cvss_vector, provider: 'vulnshare' }] : [],
      ...(row.severity ? { severity: row.severity as Severity } : {}),
      zeroDay: fixUrls.length === 0,
      kind: row.kind === 'event' ? 'event' : 'general',
      dates: { submitted: row.created_at, collected: at, published: at },
      ...(fixUrls.length
        ? {
            solution: `厂商已发布了漏洞修复程序，请及时关注更新：${fixUrls.join(' ')}`,
            patch: { url: fixUrls[0] },
          }
        : {}),
      references: fixUrls.map((url) => ({ url, tags: ['patch'] })),
      // the reporting organisation is credited; an individual researcher by their name
      credits: org ? [org.kind === 'individual' ? individualDisplayName(org.name) : org.name] : [],
      extra: { originality: row.originality, trackingNo: row.tracking_no },
      raw: JSON.stringify({
        trackingNo: row.tracking_no,
        id,
        title: row.title,
        kind: row.kind,
        publishedAt: at,
      }),
    };
  }

  async function publishIn(
    tx: Kysely<DB>,
    row: store.SubmissionRow,
    actor: { p: Principal; name: string },
    note: string | null,
  ) {
    const rule = findTransition(row.state, 'published', 'analyst');
    if (!rule)
      throw new AppError('invalid_transition', `A submission in state ${row.state} cannot be published`, {
        from: row.state,
        to: 'published',
        allowed: nextStates(row.state, 'analyst'),
      });
    const at = clock().toISOString();
    const record = await publicRecord(tx, row, at);
    await writeRecordsIn(tx, [record], `submission ${row.tracking_no}`);
    await alertPublished(tx, record.key, { clock }); // organisations watching it (watchlists) are alerted
    await store.markPublished(tx, row.id, at);
    await store.addTransition(tx, {
      submission_id: row.id,
      actor_id: userOf(actor.p)?.userId ?? null,
      actor: actor.name,
      from_state: row.state,
      to_state: 'published',
      note,
      at,
    });
    await audit(tx, actor.p.kind === 'anonymous' ? { email: actor.name, userId: null } : actor.p, {
      action: 'submission.published',
      targetKind: 'submission',
      targetId: row.tracking_no,
      detail: { id: row.vuln_public_id },
    });
  }

  /**
   * Publish now, or at the end of an embargo (an ISO 8601 moment with its zone: "2026-02-01T09:00:00+08:00").
   * Until then the report is seen only by the coordinator, its reporter and the recipients notified about it.
   */
  async function publish(
    p: Principal,
    trackingNo: string,
    opts: { embargoUntil?: string } = {},
  ): Promise<View> {
    requireAccess(p, 'submissions:publish');
    if (
      opts.embargoUntil !== undefined &&
      !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(opts.embargoUntil)
    )
      throw new AppError(
        'invalid_parameter',
        'embargoUntil must be a date-time with its zone, e.g. 2026-02-01T09:00:00+08:00',
        {
          parameter: 'embargoUntil',
        },
      );
    return db.transaction().execute(async (tx) => {
      const { row } = await authorized(tx, p, 'read', trackingNo, true);
      if (opts.embargoUntil && Date.parse(opts.embargoUntil) > clock().getTime()) {
        if (!findTransition(row.state, 'published', 'analyst'))
          throw new AppError(
            'invalid_transition',
            `A submission in state ${row.state} cannot be scheduled for publication`,
            { from: row.state, to: 'published', allowed: nextStates(row.state, 'analyst') },
          );
        const until = new Date(Date.parse(opts.embargoUntil)).toISOString();
        await store.setEmbargo(tx, row.id, until, clock().toISOString());
        await audit(tx, p, {
          action: 'submission.scheduled',
          targetKind: 'submission',
          targetId: trackingNo,
          detail: { embargoUntil: opts.embargoUntil },
        });
      } else await publishIn(tx, row, { p, name: userOf(p)?.email ?? p.kind }, null);
      const updated = await store.byTracking(tx, trackingNo);
      if (!updated) throw new AppError('internal', 'submission vanished');
      return view(tx, p, updated);
    });
  }

  /** Publish every submission whose embargo has ended (run by the worker). */
  async function publishDue(): Promise<number> {
    const due = await store.embargoEnded(db, clock().toISOString());
    let n = 0;
    for (const trackingNo of due)
      await db.transaction().execute(async (tx) => {
        const row = await store.byTracking(tx, trackingNo, true);
        if (!row || row.published_at || !findTransition(row.state, 'published', 'analyst')) return;
        await publishIn(
          tx,
          row,
          { p: { kind: 'anonymous' }, name: 'embargo end' },
          `embargo ended ${row.embargo_until ?? ''}`,
        );
        n++;
      });
    return n;
  }

  return { submit, get, list: listFor, transition, assign, attach, attachment, publish, publishDue };
}

export type SubmissionService = ReturnType<typeof createSubmissionService>;
