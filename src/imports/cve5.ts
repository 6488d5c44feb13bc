/**
 * CVE JSON 5.x records → SourceRecords: one file, a cvelistV5-style folder tree, or a zip of one.
 * Every record is validated (ajv) against the official CVE Record Format 5.1.1 schema; ADP containers
 * (CISA Vulnrichment: CVSS, CWE, SSVC, KEV) are read too. REJECTED records are kept as rejected.
 */
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';
import type {
  AffectedProduct,
  CvssInput,
  ParseItem,
  Reference,
  SourceRecord,
  Weakness,
} from '../vulns/model.js';
import { compileCveValidator, loadPrecompiledCveValidator } from './cve5-schema.js';
import { type InputFile, listInputFiles, readAhead, readInputFile, textOf } from './files.js';
import { ZIP_LIMITS, zipEntries, type ZipLimits } from './zip.js';

export const DEFAULT_CVE_SCHEMA = fileURLToPath(
  new URL('../../src/imports/schemas/CVE_JSON_bundled_5.1.1.json', import.meta.url),
);

const validators = new Map<string, ValidateFunction>();
/**
 * The validator of a schema file (once per process and file): the bundled 5.1.1 schema, or the file the
 * configuration names (Config.cveSchemaFile, VULNSHARE_CVE_SCHEMA). The bundled schema's comes precompiled in
 * the shipped build (./cve5-schema.ts); any other is compiled here.
 */
export function cveValidator(schemaPath: string = DEFAULT_CVE_SCHEMA): ValidateFunction {
  const known = validators.get(schemaPath);
  if (known) return known;
  const validator =
    (schemaPath === DEFAULT_CVE_SCHEMA ? loadPrecompiledCveValidator(schemaPath) : null) ??
    compileCveValidator(schemaPath);
  validators.set(schemaPath, validator);
  return validator;
}

type J = Record<string, unknown>;
const obj = (v: unknown): J => (v && typeof v === 'object' && !Array.isArray(v) ? (v as J) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const s = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** The first CWE id in a problem-type text ("CWE-79 Cross-site Scripting", "NVD-CWE-noinfo" has none). */
export function cweInText(text: string | undefined): string | undefined {
  const m = text ? /(?:^|[^\w-])CWE-(\d{1,5})(?!\w)/i.exec(text) : null;
  return m ? `CWE-${Number(m[1])}` : undefined;
}

const METRIC_KEYS = ['cvssV4_0', 'cvssV3_1', 'cvssV3_0', 'cvssV2_0'] as const;

function langText(list: unknown, lang: RegExp): string | undefined {
  const hit = arr(list)
    .map(obj)
    .find((d) => lang.test(s(d.lang) ?? ''));
  return s(hit?.value);
}

function versionsOf(a: J): string[] {
  return arr(a.versions)
    .map(obj)
    .filter((v) => v.status === 'affected')
    .map((v) => {
      const base = s(v.version) ?? '';
      if (s(v.lessThan))
        return base && base !== '0' && base !== '*'
          ? `>= ${base}, < ${String(v.lessThan)}`
          : `< ${String(v.lessThan)}`;
      if (s(v.lessThanOrEqual))
        return base && base !== '0' && base !== '*'
          ? `>= ${base}, <= ${String(v.lessThanOrEqual)}`
          : `<= ${String(v.lessThanOrEqual)}`;
      return base;
    })
    .filter(Boolean);
}

/** Map a schema-valid CVE record to a SourceRecord. */
export function cve5ToRecord(doc: J, raw: string): SourceRecord {
  const meta = obj(doc.cveMetadata);
  const cveId = String(meta.cveId);
  const cna = obj(obj(doc.containers).cna);
  const adps = arr(obj(doc.containers).adp).map(obj);
  const published = s(meta.datePublished);
  const updated = s(meta.dateUpdated);
  const reserved = s(meta.dateReserved);
  const dates: SourceRecord['dates'] = {
    ...(reserved ? { submitted: reserved } : {}),
    ...(published ? { published } : {}),
    ...(updated ? { updated } : {}),
  };
  if (meta.state === 'REJECTED') {
    const reason = langText(cna.rejectedReasons, /^en/i) ?? 'Rejected';
    return {
      source: 'cve',
      key: cveId,
      aliases: [cveId],
      state: 'rejected',
      titleEn: `** REJECTED ** ${cveId}`,
      descriptionEn: reason,
      products: [],
      weaknesses: [],
      cvss: [],
      dates,
      references: [],
      credits: [],
      raw,
    };
  }
  const containers = [
    { c: cna, provider: 'cna' },
    ...adps.map((a) => ({ c: a, provider: s(obj(a.providerMetadata).shortName) ?? 'adp' })),
  ];
  const products: AffectedProduct[] = arr(cna.affected)
    .map(obj)
    .map((a) => ({
      vendor: s(a.vendor) ?? '',
      product: s(a.product) ?? s(a.packageName) ?? '',
      versions: versionsOf(a),
      ...(arr(a.cpes).length ? { cpes: arr(a.cpes).map(String) } : {}),
    }))
    .filter((p) => p.vendor || p.product);
  const adpCpes = adps.flatMap((a) =>
    arr(a.affected)
      .map(obj)
      .flatMap((x) => arr(x.cpes).map(String)),
  );
  if (adpCpes.length && products[0])
    products[0] = { ...products[0], cpes: Array.from(new Set([...(products[0].cpes ?? []), ...adpCpes])) };
  const weaknesses: Weakness[] = [];
  const cvss: CvssInput[] = [];
  const references: Reference[] = [];
  let ssvc: J | undefined;
  let exploited: SourceRecord['exploited'];
  for (const { c, provider } of containers) {
    for (const pt of arr(c.problemTypes).map(obj)) {
      for (const d of arr(pt.descriptions).map(obj)) {
        const text = s(d.description);
        // Many CNAs write "CWE-79 Improper Neutralization …" without a cweId: the id in their own text is
        // still their statement.
        const cwe = s(d.cweId) ?? cweInText(text);
        if (cwe || text)
          weaknesses.push({
            cwe: cwe ?? null,
            ...(text ? { nameEn: text } : {}),
            source: provider === 'cna' ? 'cna' : 'adp',
          });
      }
    }
    for (const m of arr(c.metrics).map(obj)) {
      for (const k of METRIC_KEYS) {
        const v = s(obj(m[k]).vectorString);
        if (v) cvss.push({ vector: v, provider });
      }
      const other = obj(m.other);
      const content = obj(other.content);
      if (other.type === 'ssvc') {
        const opts = Object.assign({}, ...arr(content.options).map(obj)) as J;
        ssvc = {
          exploitation: opts.Exploitation,
          automatable: opts.Automatable,
          technicalImpact: opts['Technical Impact'],
          timestamp: content.timestamp,
          provider,
        };
      }
      if (other.type === 'kev' && s(content.dateAdded))
        exploited = {
          dateAdded: String(content.dateAdded).slice(0, 10),
          ransomware: false,
          source: `${provider} (KEV)`,
        };
    }
    for (const r of arr(c.references).map(obj)) {
      const url = s(r.url);
      if (url)
        references.push({
          url,
          ...(s(r.name) ? { name: s(r.name) } : {}),
          ...(arr(r.tags).length ? { tags: arr(r.tags).map(String) } : {}),
        });
    }
  }
  const seen = new Set<string>();
  const refs = references.filter((r) => (seen.has(r.url) ? false : (seen.add(r.url), true)));
  const descEn = langText(cna.descriptions, /^en/i) ?? langText(cna.descriptions, /./);
  const descZh = langText(cna.descriptions, /^zh/i);
  const title =
    s(cna.title) ?? (descEn ? (descEn.length > 120 ? `${descEn.slice(0, 117)}…` : descEn) : undefined);
  const expl = typeof ssvc?.exploitation === 'string' ? ssvc.exploitation : undefined;
  const ghsa = Array.from(
    new Set(refs.flatMap((r) => r.url.match(/GHSA(-[23456789cfghjmpqrvwx]{4}){3}/g) ?? [])),
  );
  const solution = langText(cna.solutions, /^en/i);
  const record: SourceRecord = {
    source: 'cve',
    key: cveId,
    aliases: [cveId, ...ghsa],
    state: 'published',
    ...(title ? { titleEn: title } : {}),
    ...(descEn ? { descriptionEn: descEn } : {}),
    ...(descZh ? { descriptionZh: descZh } : {}),
    products,
    weaknesses,
    cvss,
    ...(exploited ? { exploited } : {}),
    ...(expl === 'poc' || expl === 'active' ? { pocAvailable: true } : {}),
    dates,
    ...(solution ? { solution } : {}),
    references: refs,
    credits: arr(cna.credits)
      .map(obj)
      .map((c) => s(c.value))
      .filter((x): x is string => !!x),
    ...(ssvc ? { extra: { ssvc } } : {}),
    raw,
  };
  return record;
}

function itemFromText(text: string, file: string, index: number, schemaPath?: string): ParseItem {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return {
      ok: false,
      file,
      index,
      issue: {
        file,
        record: basename(file, '.json'),
        message: `invalid JSON: ${e instanceof Error ? e.message : String(e)}`,
      },
    };
  }
  const id = s(obj(obj(doc).cveMetadata).cveId) ?? `#${index}`;
  const validate = cveValidator(schemaPath);
  if (!validate(doc)) {
    const err = validate.errors?.[0];
    const missing = (err?.params as { missingProperty?: string } | undefined)?.missingProperty;
    const field = `${err?.instancePath ?? ''}${missing ? `/${missing}` : ''}` || '/';
    return {
      ok: false,
      file,
      index,
      issue: {
        file,
        record: id,
        field,
        message: `does not match the CVE JSON 5 schema: ${err?.message ?? 'invalid'}`,
      },
    };
  }
  return { ok: true, file, index, record: cve5ToRecord(obj(doc), text) };
}

/** Files named like CVE records; other JSON in a cvelistV5 tree (delta.json, deltaLog.json…) is skipped. */
export const isRecordName = (name: string) => /CVE-\d{4}-\d+\.json$/i.test(name);

/**
 * A record file (or zip entry) larger than limits.maxEntryBytes is refused by name, unread. Records are
 * validated against schemaPath (default: the bundled schema).
 */
export async function* parseCve5(
  paths: string[],
  limits: ZipLimits = ZIP_LIMITS,
  schemaPath?: string,
): AsyncGenerator<ParseItem> {
  let index = 0;
  const files = listInputFiles(paths, ['.json', '.zip']);
  for await (const [f, got] of readAhead(files, (file) => readRecordFile(file, paths, limits))) {
    if (got.kind === 'zip') {
      try {
        for await (const e of zipEntries(f, isRecordName, limits)) {
          const where = `${f}!${e.name}`;
          ++index;
          if ('refused' in e)
            yield {
              ok: false,
              file: where,
              index,
              issue: { file: where, record: basename(e.name, '.json'), message: `not read: ${e.refused}` },
            };
          else yield itemFromText(e.text, where, index, schemaPath);
        }
      } catch (e) {
        yield {
          ok: false,
          file: f,
          issue: { file: f, message: `cannot read zip: ${e instanceof Error ? e.message : String(e)}` },
        };
      }
      continue;
    }
    if (got.kind === 'skip') continue;
    if (got.kind === 'too-large') {
      yield {
        ok: false,
        file: f,
        index: ++index,
        issue: {
          file: f,
          record: basename(f, '.json'),
          message: `not read: ${got.size} bytes, over the ${limits.maxEntryBytes}-byte limit of a record file`,
        },
      };
      continue;
    }
    if (got.kind === 'unreadable') {
      yield { ok: false, file: f, issue: { file: f, message: got.message } };
      continue;
    }
    let text: string;
    try {
      text = await textOf(f, got);
    } catch (e) {
      yield { ok: false, file: f, issue: { file: f, message: e instanceof Error ? e.message : String(e) } };
      continue;
    }
    yield itemFromText(text, f, ++index, schemaPath);
  }
}

/** One input of parseCve5, read ahead of its parsing (see readAhead). */
function readRecordFile(
  f: string,
  paths: string[],
  limits: ZipLimits,
): Promise<InputFile | { kind: 'zip' } | { kind: 'skip' }> {
  if (f.toLowerCase().endsWith('.zip')) return Promise.resolve({ kind: 'zip' });
  if (!isRecordName(f) && !paths.includes(f)) return Promise.resolve({ kind: 'skip' });
  return readInputFile(f, limits.maxEntryBytes);
}
