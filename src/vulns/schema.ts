/** JSON schemas of what the API returns: the response schema is the list of fields a caller may see. */
import { WEAKNESS_SOURCES } from './model.js';
const str = { type: 'string' } as const;
const strN = { type: ['string', 'null'] } as const;
const strArr = { type: 'array', items: str } as const;
const i18n = { type: 'object', properties: { zh: str, en: str } } as const;

export const cvssSchema = {
  type: 'object',
  properties: {
    version: str,
    vector: str,
    baseScore: { type: 'number' },
    severity: str,
    provider: str,
  },
} as const;

export const vulnerabilitySchema = {
  $id: 'Vulnerability',
  type: 'object',
  properties: {
    id: str,
    aliases: strArr,
    state: { type: 'string', enum: ['published', 'rejected'] },
    title: i18n,
    description: i18n,
    products: {
      type: 'array',
      items: {
        type: 'object',
        properties: { vendor: str, product: str, versions: strArr, cpes: strArr, raw: str },
      },
    },
    vendors: strArr,
    objectType: strN,
    industries: strArr,
    weaknesses: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          cwe: strN,
          nameZh: str,
          nameEn: str,
          /** cna / adp / cnvd / kev / vulnshare state it; inferred = the platform's guess from the text */
          source: { type: 'string', enum: [...WEAKNESS_SOURCES] },
        },
      },
    },
    cvss: { type: 'array', items: cvssSchema },
    score: { type: ['number', 'null'] },
    scoreVersion: strN,
    severity: strN,
    severitySource: strN,
    zeroDay: { type: ['boolean', 'null'] },
    kind: str,
    exploited: {
      type: ['object', 'null'],
      properties: {
        dateAdded: str,
        ransomware: { type: 'boolean' },
        dueDate: str,
        requiredAction: str,
        source: str,
      },
    },
    pocAvailable: { type: 'boolean' },
    dates: { type: 'object', properties: { submitted: str, collected: str, published: str, updated: str } },
    solution: strN,
    patch: { type: ['object', 'null'], properties: { name: str, description: str, url: str } },
    references: {
      type: 'array',
      items: { type: 'object', properties: { url: str, name: str, tags: strArr } },
    },
    credits: strArr,
    sources: {
      type: 'array',
      items: { type: 'object', properties: { source: str, key: str, state: str } },
    },
    ssvc: { type: 'object', additionalProperties: true },
  },
} as const;

export const searchItemSchema = {
  type: 'object',
  properties: {
    id: str,
    aliases: strArr,
    title: i18n,
    severity: strN,
    score: { type: ['number', 'null'] },
    vendors: strArr,
    objectType: strN,
    industries: strArr,
    kind: str,
    zeroDay: { type: ['boolean', 'null'] },
    exploited: { type: 'boolean' },
    state: str,
    published: strN,
    collected: strN,
    sources: strArr,
    rank: { type: 'number' },
  },
} as const;

export const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: str,
        message: str,
        details: { type: 'object', additionalProperties: true },
        requestId: str,
      },
    },
  },
} as const;

const counts = {
  type: 'object',
  additionalProperties: { type: 'integer' },
  description: 'count per value',
} as const;

/** GET /api/v1/stats: published records only, counted by collection date. */
export const statsSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'total',
    'bySeverity',
    'byObjectType',
    'byKind',
    'bySource',
    'exploited',
    'zeroDay',
    'byWeek',
    'topVendors',
  ],
  properties: {
    total: { type: 'integer' },
    bySeverity: counts,
    byObjectType: counts,
    byKind: counts,
    bySource: counts,
    exploited: { type: 'integer' },
    zeroDay: { type: 'integer' },
    byWeek: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['week', 'start', 'total', 'high', 'medium', 'low', 'averageScore'],
        properties: {
          week: { type: 'string', description: 'ISO week, 2024-W04' },
          start: { type: 'string', format: 'date' },
          total: { type: 'integer' },
          high: { type: 'integer' },
          medium: { type: 'integer' },
          low: { type: 'integer' },
          averageScore: { type: 'number', nullable: true },
        },
      },
    },
    topVendors: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['vendor', 'count', 'high'],
        properties: { vendor: { type: 'string' }, count: { type: 'integer' }, high: { type: 'integer' } },
      },
    },
  },
} as const;

/** A CVE JSON 5.1 record: its schema is CVE's (CVE Record Format 5.1.1), so only its frame is listed here. */
export const cve5RecordSchema = {
  type: 'object',
  additionalProperties: true,
  required: ['dataType', 'dataVersion', 'cveMetadata', 'containers'],
  properties: {
    dataType: { type: 'string', enum: ['CVE_RECORD'] },
    dataVersion: { type: 'string' },
    cveMetadata: { type: 'object', additionalProperties: true },
    containers: { type: 'object', additionalProperties: true },
  },
} as const;

/** A body that is not JSON: the document names its media type, the bytes are the resource itself. */
export const textBody = (mediaType: string, description: string) =>
  ({ description, content: { [mediaType]: { schema: { type: 'string' } } } }) as const;
