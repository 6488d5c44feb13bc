/**
 * CSAF 2.0 documents (security advisories, VEX, any profile) → SourceRecords, one per entry of
 * `vulnerabilities[]`. A document is validated first (validate.ts: the schema and every mandatory test); one
 * that fails is refused whole, its issue naming the test and the JSON path, and the rest of a batch lands.
 *
 * Identity: a record is keyed by its document — `<publisher namespace>/<tracking id>#<CVE id | first id | n>`
 * — so two publishers' statements on one CVE are two records, and a new revision of a document (a higher
 * `tracking.version`, a longer `revision_history`) replaces its records in place, with history. A record
 * attaches (its `anchor`) to the vulnerabilities carrying its CVE id, like a CVE or KEV record; without a CVE,
 * to one carrying an id of a scheme vulnshare knows (GHSA-…, CNVD-…) from `ids[]`; else it stands alone
 * under the alias `<TRACKING ID>#<n>`. The document is the raw of each of its records, verbatim.
 *
 * What is read: the product tree (branches walked to any depth: vendor → product_name / product_family →
 * product_version / product_version_range → product, with CPE and purl; full_product_names; relationships,
 * whose products are their components) for the products of the affected statuses (known_affected,
 * first_affected, last_affected; the fixed ones when nothing is stated affected); cve, ids, cwe, notes, CVSS v2
 * / v3 vectors, release and discovery dates, remediations (vendor_fix → solution and patch link), references,
 * acknowledgments. Every product status (by product name), flag, threat and remediation is kept in
 * `extra.csaf`, with the document's tracking data and TLP.
 */
import type { AffectedProduct, CvssInput, ParseItem, Reference, SourceRecord } from '../vulns/model.js';
import { idScheme, normaliseId } from '../vulns/ids.js';
import { textLang } from '../vulns/export-cve5.js';
import { listInputFiles, readAhead, readInputFile, textOf } from '../imports/files.js';
import { ZIP_LIMITS } from '../imports/zip.js';
import { describeProblem, validateCsaf } from './validate.js';

type J = Record<string, unknown>;
const obj = (v: unknown): J => (v && typeof v === 'object' && !Array.isArray(v) ? (v as J) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const s = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
const strings = (v: unknown): string[] =>
  arr(v)
    .map(s)
    .filter((x): x is string => !!x);
const unique = <T>(xs: T[]): T[] => Array.from(new Set(xs));

/** The product statuses of CSAF 2.0, and which of them say "affected". */
export const PRODUCT_STATUSES = [
  'first_affected',
  'known_affected',
  'last_affected',
  'first_fixed',
  'fixed',
  'recommended',
  'known_not_affected',
  'under_investigation',
] as const;
const AFFECTED = ['first_affected', 'known_affected', 'last_affected'];
const FIXED = ['first_fixed', 'fixed', 'recommended'];

/** One product of the tree, as its branches name it. */
export interface CsafProduct {
  id: string;
  name: string;
  vendor?: string;
  product?: string;
  version?: string;
  cpe?: string;
  purl?: string;
}

function helper(p: J): Pick<CsafProduct, 'cpe' | 'purl'> {
  const h = obj(p.product_identification_helper);
  return { ...(s(h.cpe) ? { cpe: s(h.cpe) } : {}), ...(s(h.purl) ? { purl: s(h.purl) } : {}) };
}

/** Every product of a document's tree by product id: branches (any depth), full names, relationships. */
export function productsOf(doc: J): Map<string, CsafProduct> {
  const tree = obj(doc.product_tree);
  const out = new Map<string, CsafProduct>();
  const walk = (branches: unknown, at: { vendor?: string; product?: string; version?: string }) => {
    for (const b of arr(branches).map(obj)) {
      const name = s(b.name);
      const here = { ...at };
      switch (b.category) {
        case 'vendor':
          here.vendor = name;
          break;
        case 'product_name':
          here.product = name;
          break;
        case 'product_family':
          here.product = here.product ?? name;
          break;
        case 'product_version':
        case 'product_version_range':
          here.version = name;
          break;
        default:
          break;
      }
      const p = obj(b.product);
      const id = s(p.product_id);
      if (id) out.set(id, { id, name: s(p.name) ?? id, ...here, ...helper(p) });
      walk(b.branches, here);
    }
  };
  walk(tree.branches, {});
  for (const p of arr(tree.full_product_names).map(obj)) {
    const id = s(p.product_id);
    if (id) out.set(id, { id, name: s(p.name) ?? id, ...helper(p) });
  }
  for (const r of arr(tree.relationships).map(obj)) {
    const full = obj(r.full_product_name);
    const id = s(full.product_id);
    // The product a relationship names is its component (a package as a component of a platform): the
    // component's vendor, product (or own name) and version, the platform's vendor when the component has none.
    const component = out.get(s(r.product_reference) ?? '');
    const platform = out.get(s(r.relates_to_product_reference) ?? '');
    const vendor = component?.vendor ?? platform?.vendor;
    if (id)
      out.set(id, {
        id,
        name: s(full.name) ?? id,
        ...(vendor ? { vendor } : {}),
        product: component?.product ?? component?.name ?? s(full.name) ?? id,
        ...(component?.version ? { version: component.version } : {}),
        ...(component?.cpe ? { cpe: component.cpe } : {}),
        ...(component?.purl ? { purl: component.purl } : {}),
        ...helper(full),
      });
  }
  return out;
}

/** Products grouped as the platform's model has them: one per (vendor, product), versions and ids listed. */
function affectedProducts(ids: string[], tree: Map<string, CsafProduct>): AffectedProduct[] {
  const groups = new Map<string, AffectedProduct>();
  for (const id of ids) {
    const p = tree.get(id);
    if (!p) continue;
    const vendor = p.vendor ?? '';
    const product = p.product ?? (p.vendor ? p.name.replace(p.vendor, '').trim() || p.name : p.name);
    const k = `${vendor}\u0000${product}`;
    const g = groups.get(k) ?? { vendor, product, versions: [] };
    if (p.version && !g.versions.includes(p.version)) g.versions.push(p.version);
    if (p.cpe) g.cpes = unique([...(g.cpes ?? []), p.cpe]);
    if (p.purl) g.purls = unique([...(g.purls ?? []), p.purl]);
    groups.set(k, g);
  }
  return Array.from(groups.values());
}

const NOTE_ORDER = ['description', 'summary', 'details', 'general'];
function notesText(notes: unknown): string | undefined {
  const list = arr(notes).map(obj);
  const texts = NOTE_ORDER.flatMap((c) => list.filter((n) => n.category === c).map((n) => s(n.text)));
  const joined = unique(texts.filter((t): t is string => !!t)).join('\n\n');
  return joined || undefined;
}

function referencesOf(refs: unknown): Reference[] {
  return arr(refs)
    .map(obj)
    .filter((r) => s(r.url))
    .map((r) => ({
      url: String(s(r.url)),
      ...(s(r.summary) ? { name: s(r.summary) } : {}),
      ...(s(r.category) ? { tags: [String(s(r.category))] } : {}),
    }));
}

/** The key of one vulnerability of a document (see the module comment). */
export function csafRecordKey(namespace: string, trackingId: string, part: string): string {
  return `${namespace.replace(/\/+$/, '')}/${trackingId}#${part}`;
}

/** The records of one valid document. */
export function csafToRecords(doc: J, raw: string): SourceRecord[] {
  const d = obj(doc.document);
  const tracking = obj(d.tracking);
  const publisher = obj(d.publisher);
  const trackingId = String(s(tracking.id));
  const namespace = String(s(publisher.namespace));
  const publisherName = s(publisher.name) ?? namespace;
  const tree = productsOf(doc);
  const nameOf = (id: string) => tree.get(id)?.name ?? id;
  const docTitle = s(d.title);
  const docNotes = notesText(d.notes);
  const lang = s(d.lang);
  const docRefs = referencesOf(d.references);
  const tlp = s(obj(obj(d.distribution).tlp).label);
  const used = new Set<string>();

  return arr(doc.vulnerabilities)
    .map(obj)
    .map((v, i) => {
      const cve = s(v.cve);
      const ids = arr(v.ids).map(obj);
      const known = unique(
        ids
          .map((x) => s(x.text))
          .filter((t): t is string => !!t)
          .map(normaliseId)
          .filter((t) => idScheme(t) !== null),
      );
      let part = cve ?? s(ids[0]?.text) ?? String(i + 1);
      if (used.has(part)) part = `${part}-${i + 1}`;
      used.add(part);
      const standalone = `${trackingId}#${part}`.toUpperCase();
      const aliases = unique([...(cve ? [cve] : []), ...known]);
      const anchor = cve ?? known[0] ?? standalone;
      if (aliases.length === 0) aliases.push(standalone);

      const status = obj(v.product_status);
      const statusIds = (names: readonly string[]) => unique(names.flatMap((n) => strings(status[n])));
      const affectedIds = statusIds(AFFECTED);
      const products = affectedProducts(affectedIds.length ? affectedIds : statusIds(FIXED), tree);

      const title = s(v.title) ?? docTitle;
      const description = notesText(v.notes) ?? docNotes;
      const zh = lang ? /^zh/i.test(lang) : textLang(`${title ?? ''} ${description ?? ''}`) === 'zh';

      const cvss: CvssInput[] = [];
      for (const sc of arr(v.scores).map(obj))
        for (const k of ['cvss_v3', 'cvss_v2']) {
          const vector = s(obj(sc[k]).vectorString);
          if (vector && !cvss.some((c) => c.vector === vector))
            cvss.push({ vector, provider: publisherName });
        }

      const remediations = arr(v.remediations).map(obj);
      const fixes = remediations.filter((r) => r.category === 'vendor_fix');
      const fixUrl = fixes.map((r) => s(r.url)).find(Boolean);
      const solutionFrom = fixes.length ? fixes : remediations;
      const solution = unique(solutionFrom.map((r) => s(r.details)).filter((x): x is string => !!x)).join(
        '\n',
      );
      const cwe = obj(v.cwe);
      const release = s(v.release_date) ?? s(tracking.initial_release_date);
      const discovered = s(v.discovery_date);
      const updated = s(tracking.current_release_date);

      const refs = [...referencesOf(v.references), ...docRefs];
      const seen = new Set<string>();
      const references = refs.filter((r) => (seen.has(r.url) ? false : (seen.add(r.url), true)));
      const credits = unique(
        arr(v.acknowledgments)
          .map(obj)
          .flatMap((a) => [...strings(a.names), ...(s(a.organization) ? [String(s(a.organization))] : [])]),
      );
      const byName = (ids: unknown) => strings(ids).map(nameOf);
      const productStatus = Object.fromEntries(
        PRODUCT_STATUSES.filter((k) => strings(status[k]).length).map((k) => [k, byName(status[k])]),
      );

      const record: SourceRecord = {
        source: 'csaf',
        key: csafRecordKey(namespace, trackingId, part),
        aliases,
        anchor,
        state: 'published',
        ...(title ? (zh ? { titleZh: title } : { titleEn: title }) : {}),
        ...(description ? (zh ? { descriptionZh: description } : { descriptionEn: description }) : {}),
        products,
        weaknesses: s(cwe.id)
          ? [{ cwe: String(s(cwe.id)), ...(s(cwe.name) ? { nameEn: s(cwe.name) } : {}), source: 'csaf' }]
          : [],
        cvss,
        dates: {
          ...(discovered ? { submitted: discovered } : {}),
          ...(release ? { published: release } : {}),
          ...(updated ? { updated } : {}),
        },
        ...(solution ? { solution } : {}),
        ...(fixUrl || fixes.length
          ? {
              patch: {
                ...(fixUrl ? { url: fixUrl } : {}),
                ...(s(fixes[0]?.details) ? { description: s(fixes[0]?.details) } : {}),
              },
            }
          : {}),
        references,
        credits,
        extra: {
          csaf: {
            namespace,
            trackingId,
            version: s(tracking.version),
            status: s(tracking.status),
            category: s(d.category),
            publisher: publisherName,
            ...(tlp ? { tlp } : {}),
            ...(lang ? { lang } : {}),
            vulnerabilityIndex: i,
            ...(ids.length ? { ids: ids.map((x) => ({ system: s(x.system_name), text: s(x.text) })) } : {}),
            productStatus,
            flags: arr(v.flags)
              .map(obj)
              .map((f) => ({ label: s(f.label), products: byName(f.product_ids) })),
            threats: arr(v.threats)
              .map(obj)
              .map((t) => ({
                category: s(t.category),
                details: s(t.details),
                products: byName(t.product_ids),
              })),
            remediations: remediations.map((r) => ({
              category: s(r.category),
              details: s(r.details),
              ...(s(r.url) ? { url: s(r.url) } : {}),
              products: byName(r.product_ids),
            })),
          },
        },
        raw,
      };
      return record;
    });
}

/** One document's text → its records, or its refusal. */
export async function parseCsafText(text: string, file: string, index: number): Promise<ParseItem[]> {
  const refuse = (message: string, record?: string, field?: string): ParseItem[] => [
    {
      ok: false,
      file,
      index,
      issue: { file, ...(record ? { record } : {}), ...(field !== undefined ? { field } : {}), message },
    },
  ];
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return refuse(`invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const trackingId = s(obj(obj(obj(doc).document).tracking).id);
  if (!s(obj(obj(doc).document).csaf_version))
    return refuse('not a CSAF document (no document.csaf_version)', trackingId, '/document/csaf_version');
  const v = await validateCsaf(doc);
  if (!v.valid) {
    // a mandatory test's finding first (the schema's often restate it less precisely), then every test failed
    const first = v.errors.find((e) => e.test !== 'schema') ?? v.errors[0];
    const failed = unique(v.errors.map((e) => e.test));
    return refuse(
      `refused: fails ${first ? describeProblem(first) : 'validation'} (${v.errors.length} problem${
        v.errors.length === 1 ? '' : 's'
      }; tests failed: ${failed.join(', ')})`,
      trackingId,
      first?.path || '/',
    );
  }
  return csafToRecords(obj(doc), text).map((record) => ({ ok: true, file, index, record }));
}

/** CSAF documents: files, or folders of *.json walked recursively. A file over the size limit is refused unread. */
export async function* parseCsaf(
  paths: string[],
  maxBytes: number = ZIP_LIMITS.maxEntryBytes,
): AsyncGenerator<ParseItem> {
  let index = 0;
  const files = listInputFiles(paths, ['.json']);
  for await (const [f, got] of readAhead(files, (file) => readInputFile(file, maxBytes))) {
    index++;
    if (got.kind === 'too-large') {
      yield {
        ok: false,
        file: f,
        index,
        issue: {
          file: f,
          message: `not read: ${got.size} bytes, over the ${maxBytes}-byte limit of a document`,
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
    yield* await parseCsafText(text, f, index);
  }
}
