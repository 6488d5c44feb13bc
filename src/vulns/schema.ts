/**
 * Schemas of what the API returns: the response schema is the list of fields a caller may see. The TypeBox
 * ones are also the handlers' types (required = always returned; Nullable = present, maybe null).
 */
import { Type, type Static } from 'typebox';
import { Nullable, StringEnum } from '../http/schemas.js';
import { WEAKNESS_SOURCES } from './model.js';
const str = { type: 'string' } as const;
const Str = Type.String();
const StrArr = Type.Array(Str);
const I18n = Type.Object({ zh: Type.Optional(Str), en: Type.Optional(Str) });

export const cvssSchema = Type.Object({
  version: Str,
  vector: Str,
  baseScore: Type.Number(),
  severity: Str,
  provider: Type.Optional(Str),
});

/** The merged record (model.ts Vulnerability); registered once as `Vulnerability`, used as `VulnerabilityRef`. */
export const vulnerabilitySchema = Type.Object(
  {
    id: Str,
    aliases: StrArr,
    state: StringEnum(['published', 'rejected']),
    title: I18n,
    description: I18n,
    products: Type.Array(
      Type.Object({
        vendor: Str,
        product: Str,
        versions: StrArr,
        cpes: Type.Optional(StrArr),
        raw: Type.Optional(Str),
      }),
    ),
    vendors: StrArr,
    objectType: Nullable(Str),
    industries: StrArr,
    weaknesses: Type.Array(
      Type.Object({
        cwe: Nullable(Str),
        nameZh: Type.Optional(Str),
        nameEn: Type.Optional(Str),
        /** cna / adp / cnvd / kev / vulnshare state it; inferred = the platform's guess from the text */
        source: Type.Optional(StringEnum(WEAKNESS_SOURCES)),
      }),
    ),
    cvss: Type.Array(cvssSchema),
    score: Nullable(Type.Number()),
    scoreVersion: Nullable(Str),
    severity: Nullable(Str),
    severitySource: Nullable(Str),
    zeroDay: Nullable(Type.Boolean()),
    kind: Str,
    exploited: Nullable(
      Type.Object({
        dateAdded: Str,
        ransomware: Type.Boolean(),
        dueDate: Type.Optional(Str),
        requiredAction: Type.Optional(Str),
        source: Str,
      }),
    ),
    pocAvailable: Type.Boolean(),
    dates: Type.Object({
      submitted: Type.Optional(Str),
      collected: Type.Optional(Str),
      published: Type.Optional(Str),
      updated: Type.Optional(Str),
    }),
    solution: Nullable(Str),
    patch: Nullable(
      Type.Object({ name: Type.Optional(Str), description: Type.Optional(Str), url: Type.Optional(Str) }),
    ),
    references: Type.Array(Type.Object({ url: Str, name: Type.Optional(Str), tags: Type.Optional(StrArr) })),
    credits: StrArr,
    sources: Type.Array(Type.Object({ source: Str, key: Str, state: Str })),
    ssvc: Type.Optional(Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true })),
  },
  { $id: 'Vulnerability' },
);

/** `$ref: 'Vulnerability#'`, typed as the record. */
export const VulnerabilityRef = Type.Unsafe<Static<typeof vulnerabilitySchema>>({
  $ref: 'Vulnerability#',
});

/** One search hit (search/store.ts SearchItem). */
export const searchItemSchema = Type.Object({
  id: Str,
  aliases: StrArr,
  title: I18n,
  severity: Nullable(Str),
  score: Nullable(Type.Number()),
  vendors: StrArr,
  objectType: Nullable(Str),
  industries: StrArr,
  kind: Str,
  zeroDay: Nullable(Type.Boolean()),
  exploited: Type.Boolean(),
  state: Str,
  published: Nullable(Str),
  collected: Nullable(Str),
  sources: StrArr,
  rank: Type.Optional(Type.Number()),
});

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

const counts = Type.Unsafe<Record<string, number>>({
  type: 'object',
  additionalProperties: { type: 'integer' },
  description: 'count per value',
});
const anyObject = Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true });

/** GET /api/v1/stats: published records only, counted by collection date. */
export const statsSchema = Type.Object(
  {
    total: Type.Integer(),
    bySeverity: counts,
    byObjectType: counts,
    byKind: counts,
    bySource: counts,
    exploited: Type.Integer(),
    zeroDay: Type.Integer(),
    byWeek: Type.Array(
      Type.Object(
        {
          week: Type.String({ description: 'ISO week, 2024-W04' }),
          start: Type.String({ format: 'date' }),
          total: Type.Integer(),
          high: Type.Integer(),
          medium: Type.Integer(),
          low: Type.Integer(),
          averageScore: Nullable(Type.Number()),
        },
        { additionalProperties: false },
      ),
    ),
    topVendors: Type.Array(
      Type.Object(
        { vendor: Type.String(), count: Type.Integer(), high: Type.Integer() },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** A CVE JSON 5.1 record: its schema is CVE's (CVE Record Format 5.1.1), so only its frame is listed here. */
export const cve5RecordSchema = Type.Object(
  {
    dataType: StringEnum(['CVE_RECORD']),
    dataVersion: Type.String(),
    cveMetadata: anyObject,
    containers: anyObject,
  },
  { additionalProperties: true },
);

/** A body that is not JSON: the document names its media type, the bytes are the resource itself. */
export const textBody = (mediaType: string, description: string) =>
  Type.Unsafe<string | Buffer | NodeJS.ReadableStream>({
    description,
    content: { [mediaType]: { schema: { type: 'string' } } },
  });
