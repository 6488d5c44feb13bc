/**
 * The weekly bulletin service: compute a week's bulletin from the store (a live draft), keep what an analyst
 * entered, publish (freeze) it, and render it as JSON / HTML / Markdown / PDF in Chinese or English. Routes and
 * the CLI call only this. Every function checks first: the role for changes, the bulletin rule for reads (a
 * published bulletin is public, a draft is for staff — checked before the draft is computed, and computed once).
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import { parseWeekId, shiftWeek, type IsoWeek } from '../vulns/calendar.js';
import {
  computeBulletin,
  EMPTY_EDITORIAL,
  type BulletinData,
  type DisposalFigures,
  type Editorial,
} from './figures.js';
import type { PdfRenderer } from './pdf.js';
import { renderHtml, type RenderMeta } from './render-html.js';
import { renderMarkdown } from './render-md.js';
import { DATE_BASES, DEFAULT_RULES, type BulletinRules } from './rules.js';
import * as store from './store.js';
import { CLI, type Principal } from '../accounts/model.js';
import { requireAccess } from '../accounts/policy.js';
import { authorize } from '../accounts/resource-policy.js';
import { audit } from '../audit/audit.js';
import { labels, LANGS, pick, type Lang, type PlatformSettings } from './text.js';

export const FORMATS = ['json', 'html', 'md', 'pdf'] as const;
export type Format = (typeof FORMATS)[number];

export interface BulletinSettings {
  rules: BulletinRules;
  platform: PlatformSettings;
}

export function defaultSettings(publicUrl: string): BulletinSettings {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    rules: DEFAULT_RULES,
    platform: {
      name: { zh: 'vulnshare 信息安全漏洞共享平台', en: 'vulnshare Vulnerability Sharing Platform' },
      short: 'vulnshare',
      about: [
        {
          heading: { zh: '关于 vulnshare', en: 'About vulnshare' },
          body: {
            zh: 'vulnshare 是面向国家或行业应急组织、信息共享与分析中心及厂商安全应急响应团队的开放漏洞共享平台，致力于漏洞的收集、验证、协调处置与发布。',
            en: 'vulnshare is an open platform on which a national or sector CERT, an ISAC or a vendor PSIRT collects, verifies, coordinates and publishes vulnerabilities.',
          },
        },
      ],
      contacts: [{ label: { zh: '网址', en: 'Web' }, value: base }],
      recordUrl: `${base}/vulnerabilities/{id}`,
      listUrl: `${base}/vulnerabilities`,
    },
  };
}

const SETTINGS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    rules: {
      type: 'object',
      additionalProperties: false,
      properties: {
        dateBasis: { enum: [...DATE_BASES] },
        levelRules: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['level'],
            properties: {
              level: { enum: ['high', 'medium', 'low'] },
              minHighShare: { type: 'number', minimum: 0, maximum: 1 },
              minExploited: { type: 'integer', minimum: 0 },
            },
          },
        },
        trendWeeks: { type: 'integer', minimum: 2, maximum: 52 },
        zeroDayExamples: { type: 'integer', minimum: 0, maximum: 20 },
        topVendors: { type: 'integer', minimum: 1, maximum: 100 },
        industryExamples: { type: 'integer', minimum: 0, maximum: 20 },
        namedReporters: { type: 'integer', minimum: 0, maximum: 50 },
        alerts: { type: 'integer', minimum: 0, maximum: 50 },
        alertMinHigh: { type: 'integer', minimum: 0 },
        alertMaxGroups: { type: 'integer', minimum: 1, maximum: 50 },
        alertMaxIds: { type: 'integer', minimum: 1, maximum: 200 },
        alertLinks: { type: 'integer', minimum: 0, maximum: 200 },
        table4Rows: { type: 'integer', minimum: 0, maximum: 200 },
      },
    },
    platform: {
      type: 'object',
      additionalProperties: false,
      properties: {
        name: { $ref: '#/$defs/text' },
        short: { type: 'string', minLength: 1 },
        about: {
          type: 'array',
          items: {
            type: 'object',
            required: ['heading', 'body'],
            properties: { heading: { $ref: '#/$defs/text' }, body: { $ref: '#/$defs/text' } },
          },
        },
        contacts: {
          type: 'array',
          items: {
            type: 'object',
            required: ['label', 'value'],
            properties: { label: { $ref: '#/$defs/text' }, value: { type: 'string' } },
          },
        },
        recordUrl: { type: 'string', pattern: '\\{id\\}' },
        listUrl: { type: 'string' },
      },
    },
  },
  $defs: {
    text: {
      type: 'object',
      additionalProperties: false,
      properties: { zh: { type: 'string' }, en: { type: 'string' } },
    },
  },
} as const;

const httpUrl = { type: 'string', pattern: '^https?://', maxLength: 2000 } as const;
export const EDITORIAL_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    news: {
      type: 'array',
      maxItems: 50,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['title'],
        properties: {
          title: { type: 'string', minLength: 1, maxLength: 300 },
          summary: { type: 'string', maxLength: 4000 },
          url: httpUrl,
        },
      },
    },
    verifications: {
      type: 'array',
      maxItems: 50,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['title', 'description'],
        properties: {
          title: { type: 'string', minLength: 1, maxLength: 300 },
          description: { type: 'string', minLength: 1, maxLength: 8000 },
          pocUrl: httpUrl,
          referenceUrl: httpUrl,
          provider: { type: 'string', maxLength: 300 },
        },
      },
    },
    pinnedAlerts: { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 200 } },
    droppedAlerts: { type: 'array', maxItems: 200, items: { type: 'string', minLength: 1, maxLength: 200 } },
  },
} as const;

const ajv = new Ajv({ allErrors: true });
const validateSettings = ajv.compile(SETTINGS_SCHEMA);
const validateEditorial = ajv.compile(EDITORIAL_SCHEMA);

const ajvProblems = (errors: typeof validateEditorial.errors) =>
  (errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`);

/** Settings = defaults, overlaid by a JSON file (VULNSHARE_BULLETIN_SETTINGS). Every problem at once, naming the file. */
export function loadBulletinSettings(publicUrl: string, file?: string): BulletinSettings {
  const d = defaultSettings(publicUrl);
  if (!file) return d;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new AppError('invalid_input', `${file}: cannot read bulletin settings: ${(e as Error).message}`, {
      file,
    });
  }
  if (!validateSettings(parsed))
    throw new AppError(
      'invalid_input',
      `${file}: invalid bulletin settings:\n  - ${ajvProblems(validateSettings.errors).join('\n  - ')}`,
      { file, problems: ajvProblems(validateSettings.errors) },
    );
  const o = parsed as { rules?: Partial<BulletinRules>; platform?: Partial<PlatformSettings> };
  return { rules: { ...d.rules, ...o.rules }, platform: { ...d.platform, ...o.platform } };
}

export function parseEditorial(input: unknown, where = 'editorial'): Editorial {
  if (!validateEditorial(input))
    throw new AppError('invalid_input', `${where}: ${ajvProblems(validateEditorial.errors).join('; ')}`, {
      problems: ajvProblems(validateEditorial.errors),
    });
  return { ...EMPTY_EDITORIAL, ...(input as Partial<Editorial>) };
}

/**
 * Where disposal figures come from (the coordination capability). Required: a bulletin built without it printed
 * zeros in production (src/app/platform.ts is the one place that builds this service).
 */
export interface DisposalSource {
  weekFigures(db: Kysely<DB>, w: IsoWeek): Promise<DisposalFigures>;
}

export interface Bulletin {
  state: 'draft' | 'published';
  data: BulletinData;
  editorial: Editorial;
  generatedAt: string;
  publishedAt: string | null;
}

export interface Rendered {
  contentType: string;
  body: string | Buffer;
  filename: string;
}

export interface BulletinServiceDeps {
  db: Kysely<DB>;
  settings: BulletinSettings;
  pdf?: PdfRenderer;
  disposal: DisposalSource;
  clock?: () => Date;
}

export function parseLang(v: string | undefined): Lang {
  const lang = (v ?? 'zh').toLowerCase();
  if (!(LANGS as readonly string[]).includes(lang))
    throw new AppError('invalid_parameter', `lang must be zh or en (got "${v}")`, {
      parameter: 'lang',
      value: v,
    });
  return lang as Lang;
}
export function parseFormat(v: string | undefined): Format {
  const f = (v ?? 'json').toLowerCase();
  if (!(FORMATS as readonly string[]).includes(f))
    throw new AppError('invalid_parameter', `format must be one of ${FORMATS.join(', ')} (got "${v}")`, {
      parameter: 'format',
      value: v,
    });
  return f as Format;
}

export function createBulletinService(deps: BulletinServiceDeps) {
  const { db, settings } = deps;
  const clock = deps.clock ?? (() => new Date());
  const { disposal } = deps;
  const rules = settings.rules;

  async function compute(tx: Kysely<DB>, w: IsoWeek, editorial: Editorial): Promise<BulletinData> {
    const [records, eventThisWeek, eventLastWeek, trendPoints, reporterCounts, disposalFigures] =
      await Promise.all([
        store.weekRecords(tx, rules.dateBasis, w),
        store.eventCount(tx, rules.dateBasis, w),
        store.eventCount(tx, rules.dateBasis, shiftWeek(w, -1)),
        store.trend(tx, rules.dateBasis, w, rules.trendWeeks),
        store.reporters(tx, rules.dateBasis, w),
        disposal.weekFigures(tx, w),
      ]);
    return computeBulletin({
      week: w,
      records,
      eventThisWeek,
      eventLastWeek,
      trend: trendPoints,
      reporters: reporterCounts,
      disposal: disposalFigures,
      editorial,
      rules,
    });
  }

  /** The week's bulletin: the frozen one, or a draft computed now — if p may read it (checked before computing). */
  async function load(p: Principal, w: IsoWeek): Promise<Bulletin> {
    const row = await store.getBulletin(db, w.id);
    const published = row?.state === 'published' && row.data !== null;
    authorize(p, 'read', { type: 'bulletin', id: w.id, state: published ? 'published' : 'draft' });
    if (row?.state === 'published' && row.data)
      return {
        state: 'published',
        data: row.data as unknown as BulletinData,
        editorial: { ...EMPTY_EDITORIAL, ...row.editorial },
        generatedAt: row.publishedAt ?? row.updatedAt,
        publishedAt: row.publishedAt,
      };
    const editorial = { ...EMPTY_EDITORIAL, ...row?.editorial };
    return {
      state: 'draft',
      data: await compute(db, w, editorial),
      editorial,
      generatedAt: clock().toISOString(),
      publishedAt: null,
    };
  }

  /** One week's bulletin, published (anyone) or draft (staff). */
  async function get(p: Principal, weekId: string): Promise<Bulletin> {
    return load(p, parseWeekId(weekId));
  }

  /** One week's bulletin rendered, and whether it is a draft (for caching): what the route returns. */
  async function read(
    p: Principal,
    weekId: string,
    lang: Lang,
    format: Format,
  ): Promise<Rendered & { state: Bulletin['state'] }> {
    const b = await load(p, parseWeekId(weekId));
    return { ...(await renderBulletin(b, lang, format)), state: b.state };
  }

  async function renderBulletin(b: Bulletin, lang: Lang, format: Format): Promise<Rendered> {
    const meta: RenderMeta = { state: b.state, generatedAt: b.generatedAt, publishedAt: b.publishedAt };
    const name = `vulnshare-bulletin-${b.data.id}-${lang}`;
    switch (format) {
      case 'json':
        return {
          contentType: 'application/json; charset=utf-8',
          body: JSON.stringify(
            {
              id: b.data.id,
              state: b.state,
              generatedAt: b.generatedAt,
              publishedAt: b.publishedAt,
              editorial: b.editorial,
              figures: b.data,
            },
            null,
            2,
          ),
          filename: `${name}.json`,
        };
      case 'html':
        return {
          contentType: 'text/html; charset=utf-8',
          body: renderHtml(b.data, settings.platform, lang, meta),
          filename: `${name}.html`,
        };
      case 'md':
        return {
          contentType: 'text/markdown; charset=utf-8',
          body: renderMarkdown(b.data, settings.platform, lang, meta),
          filename: `${name}.md`,
        };
      case 'pdf': {
        if (!deps.pdf) throw new AppError('unavailable', 'PDF rendering is not configured');
        const L = labels(b.data, settings.platform, lang);
        const html = renderHtml(b.data, settings.platform, lang, meta);
        const body = await deps.pdf.render(html, {
          page: L.page,
          title: `${pick(settings.platform.name, lang)} · ${L.title} · ${L.issue}`,
        });
        return { contentType: 'application/pdf', body, filename: `${name}.pdf` };
      }
    }
  }

  async function setEditorial(p: Principal, weekId: string, input: unknown): Promise<Bulletin> {
    requireAccess(p, 'bulletins:edit');
    requireAccess(p, 'bulletins:draft'); // what it returns is the draft
    const w = parseWeekId(weekId);
    const editorial = parseEditorial(input);
    await db.transaction().execute(async (tx) => {
      await store.ensureBulletin(tx, w);
      const row = await store.getBulletin(tx, w.id, true);
      if (row?.state === 'published')
        throw new AppError(
          'bulletin_frozen',
          `Bulletin ${w.id} is published and frozen; its editorial content cannot change`,
          {
            id: w.id,
          },
        );
      await store.saveEditorial(tx, w.id, editorial, clock().toISOString());
      await audit(tx, p, { action: 'bulletin.edited', targetKind: 'bulletin', targetId: w.id });
    });
    return load(p, w);
  }

  /** Freeze the week's figures as they are now. Publishing twice is a conflict, not a silent re-freeze. */
  async function publish(p: Principal, weekId: string): Promise<Bulletin> {
    requireAccess(p, 'bulletins:publish');
    const w = parseWeekId(weekId);
    const now = clock();
    if (w.start > now.toISOString().slice(0, 10))
      throw new AppError('week_not_started', `Week ${w.id} has not started yet; nothing to publish`, {
        id: w.id,
      });
    await db.transaction().execute(async (tx) => {
      await store.ensureBulletin(tx, w);
      const row = await store.getBulletin(tx, w.id, true);
      if (row?.state === 'published')
        throw new AppError(
          'already_published',
          `Bulletin ${w.id} was already published at ${row.publishedAt ?? '?'}`,
          { id: w.id, publishedAt: row.publishedAt },
        );
      const data = await compute(tx, w, { ...EMPTY_EDITORIAL, ...row?.editorial });
      await store.markPublished(tx, w.id, data, now.toISOString());
      await audit(tx, p, { action: 'bulletin.published', targetKind: 'bulletin', targetId: w.id });
    });
    return load(p, w);
  }

  return {
    get,
    read,
    /** The operator's render (the CLI's `report`): read(CLI, …). */
    render: (weekId: string, lang: Lang, format: Format): Promise<Rendered> =>
      read(CLI, weekId, lang, format),
    setEditorial,
    publish,
    list: (limit = 100) => store.listPublished(db, limit),
    latestWeek: () => store.latestWeek(db, rules.dateBasis),
  };
}

export type BulletinService = ReturnType<typeof createBulletinService>;
