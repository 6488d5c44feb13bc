/**
 * GCVE-BCP-03 dumps (NDJSON: one GCVE-BCP-05 record a line) as source records, for `vulnshare import gcve` and
 * `gcve` feeds that follow a GNA's `/dumps/gna-<id>.ndjson`. Each record is read as the CVE Record Format it
 * is (imports/cve5.ts's container reading), identified by its `vulnId`: the GCVE id is the record's key and an
 * alias, a CVE id it carries (cveMetadata.cveId, or x_vulnshare.aliases from another vulnshare) is an alias too
 * and anchors it to what the store holds under that CVE. A line that is not JSON or not a GCVE record is
 * refused by its line number; the lines beside it still land. Memory holds one line.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { cve5ToRecord } from '../imports/cve5.js';
import { listInputFiles } from '../imports/files.js';
import type { ParseItem, SourceRecord } from '../vulns/model.js';
import { GCVE_ID } from './model.js';

type J = Record<string, unknown>;
const obj = (v: unknown): J => (v && typeof v === 'object' && !Array.isArray(v) ? (v as J) : {});
const KNOWN_ALIAS = /^(CVE-\d{4}-\d{4,}|CNVD-\d{4}-\d{4,}|GCVE-\d+-\d{4}-\d{4,})$/;
/** The longest record line: a larger one is refused by its line number (the feed body itself is bounded). */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

/** One GCVE record (parsed JSON) as a source record, or the reason it is not one. */
export function gcveToRecord(doc: unknown, raw: string): SourceRecord | string {
  const d = obj(doc);
  const meta = obj(d.cveMetadata);
  const vulnId = typeof meta.vulnId === 'string' ? meta.vulnId.trim().toUpperCase() : '';
  if (d.dataType !== 'CVE_RECORD') return 'not a CVE Record Format document (dataType)';
  if (!GCVE_ID.test(vulnId)) return 'cveMetadata.vulnId is not a GCVE id (GCVE-<gna>-<year>-<serial>)';
  if (meta.state !== 'PUBLISHED' && meta.state !== 'REJECTED')
    return 'cveMetadata.state is not PUBLISHED or REJECTED';
  if (!Object.keys(obj(obj(d.containers).cna)).length) return 'containers.cna is missing';
  const cveId = typeof meta.cveId === 'string' ? meta.cveId : undefined;
  const r = cve5ToRecord({ ...d, cveMetadata: { ...meta, cveId: vulnId } }, raw);
  const x = obj(obj(obj(d.containers).cna).x_vulnshare);
  const more = [cveId, ...(Array.isArray(x.aliases) ? (x.aliases as unknown[]) : [])].filter(
    (a): a is string => typeof a === 'string' && KNOWN_ALIAS.test(a),
  );
  const aliases = Array.from(new Set([vulnId, ...more]));
  const anchor = aliases.find((a) => a.startsWith('CVE-'));
  const rec: SourceRecord = {
    ...r,
    source: 'gcve',
    key: vulnId,
    aliases,
    ...(anchor ? { anchor } : {}),
  };
  // what another vulnshare adds beside the CNA's English text
  if (typeof x.titleZh === 'string' && x.titleZh.trim()) rec.titleZh = x.titleZh;
  if (typeof x.descriptionZh === 'string' && x.descriptionZh.trim()) rec.descriptionZh = x.descriptionZh;
  return rec;
}

export async function* parseGcveNdjson(paths: string[]): AsyncGenerator<ParseItem> {
  let index = 0;
  for await (const file of listInputFiles(paths, ['.ndjson', '.jsonl'])) {
    const lines = createInterface({
      input: createReadStream(file, { encoding: 'utf8' }),
      crlfDelay: Infinity,
    });
    let line = 0;
    for await (const text of lines) {
      line++;
      if (!text.trim()) continue;
      index++;
      const record = `line ${line}`;
      if (Buffer.byteLength(text) > MAX_LINE_BYTES) {
        yield {
          ok: false,
          file,
          index,
          issue: { file, record, message: `longer than ${MAX_LINE_BYTES} bytes` },
        };
        continue;
      }
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch (e) {
        yield {
          ok: false,
          file,
          index,
          issue: { file, record, message: `not JSON: ${(e as Error).message}` },
        };
        continue;
      }
      const id = obj(obj(doc).cveMetadata).vulnId;
      const r = gcveToRecord(doc, text);
      if (typeof r === 'string')
        yield {
          ok: false,
          file,
          index,
          issue: { file, record: typeof id === 'string' ? `${record} (${id})` : record, message: r },
        };
      else yield { ok: true, file, index, record: r };
    }
  }
}
