/**
 * A worker thread of the import (src/imports/parallel.ts): parses a few input files of one format and prepares
 * each record (classification, CVSS scores, hash) — the pure, CPU-bound part — so that the main thread only
 * merges and writes. Returns the items in input order; a record that cannot be prepared is a located issue.
 */
import { threadId } from 'node:worker_threads';
import type { ParseItem } from '../vulns/model.js';
import { IMPORT_FORMATS } from './formats.js';
import { prepareRecord } from './prepare.js';
import type { PreparedItem } from './parallel.js';

export interface PrepareTask {
  format: string;
  files: string[];
  cveSchemaFile?: string | undefined;
}

export interface PrepareResult {
  /** the worker thread that did it */
  threadId: number;
  items: Array<PreparedItem | ParseItem>;
}

export default async function prepareFiles(task: PrepareTask): Promise<PrepareResult> {
  const fmt = IMPORT_FORMATS[task.format];
  if (!fmt) throw new Error(`unknown import format ${task.format}`);
  const out: Array<PreparedItem | ParseItem> = [];
  for await (const item of fmt.parse(task.files, { cveSchemaFile: task.cveSchemaFile })) {
    if (!item.ok) {
      out.push(item);
      continue;
    }
    try {
      const prepared = prepareRecord(item.record, item.file);
      out.push({
        ok: true,
        file: item.file,
        index: item.index,
        prepared,
        ...(item.warnings ? { warnings: item.warnings } : {}),
      });
    } catch (e) {
      out.push({
        ok: false,
        file: item.file,
        index: item.index,
        issue: {
          file: item.file,
          record: item.record.key,
          message: e instanceof Error ? e.message : String(e),
        },
      });
    }
  }
  return { threadId, items: out };
}
