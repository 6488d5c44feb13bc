/** Turn a parsed source record into what the store keeps: classified, CVSS-scored, hashed. Pure. */
import { createHash } from 'node:crypto';
import { classifyRecord } from '../classify/index.js';
import { scoreCvss } from '../cvss/cvss.js';
import type { Cvss, ImportIssue, PreparedRecord, SourceRecord } from '../vulns/model.js';

export interface Prepared {
  prepared: PreparedRecord;
  /** prepared as JSON text (what the store keeps) */
  json: string;
  raw: string;
  hash: string;
  warnings: ImportIssue[];
}

export function prepareRecord(rec: SourceRecord, file: string): Prepared {
  const warnings: ImportIssue[] = [];
  const classified = classifyRecord(rec);
  const scored: Cvss[] = [];
  classified.cvss.forEach((c, i) => {
    try {
      scored.push(scoreCvss(c));
    } catch (e) {
      warnings.push({
        file,
        record: rec.key,
        field: `cvss[${i}]${c.provider ? ` (${c.provider})` : ''}`,
        message: `${e instanceof Error ? e.message : String(e)}; the vector was not kept`,
      });
    }
  });
  const { raw, ...rest } = classified;
  const prepared: PreparedRecord = {
    ...rest,
    cvss: classified.cvss.filter((_, i) => scored.some((s) => s.vector === classified.cvss[i]?.vector)),
    scored,
  };
  const json = JSON.stringify(prepared);
  const hash = createHash('sha256').update(json).update('\0').update(raw).digest('hex');
  return { prepared, json, raw, hash, warnings };
}
