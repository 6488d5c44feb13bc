/** Test support: load the real CNVD XML, CVE JSON 5 and KEV data into a database, as `vulnshare import` does. */
import type { Database } from '../db/client.js';
import { IMPORT_FORMATS } from '../imports/formats.js';
import { importItems } from '../imports/pipeline.js';

export interface SharedSources {
  cnvd: string;
  cnvd2020: string;
  cve: string;
  kev: string;
}

export async function importSharedSources(d: Database, s: SharedSources): Promise<void> {
  for (const [format, paths] of [
    ['cnvd-xml', [s.cnvd, s.cnvd2020]],
    ['cve5', [s.cve]],
    ['kev', [s.kev]],
  ] as const) {
    const f = IMPORT_FORMATS[format];
    if (!f) throw new Error(format);
    await importItems(d, f.parse([...paths]), { format, paths: [...paths] });
  }
}
