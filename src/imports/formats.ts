/** The import formats `vulnshare import <format>` knows, as a table. */
import { parseCsaf } from '../csaf/parse.js';
import { parseGcveNdjson } from '../gcve/parse.js';
import { parseCnvdXml } from './cnvd-xml.js';
import { parseCve5 } from './cve5.js';
import { listInputFiles } from './files.js';
import { parseKev } from './kev.js';
import type { ParseItem } from '../vulns/model.js';

/** What an import takes from the configuration. */
export interface ImportOptions {
  /** The CVE JSON schema file cve5 records are validated against (Config.cveSchemaFile); unset = bundled. */
  cveSchemaFile?: string | undefined;
}

export interface ImportFormat {
  description: string;
  parse(paths: string[], opts?: ImportOptions): AsyncGenerator<ParseItem>;
}

async function* eachFile(
  paths: string[],
  exts: string[],
  parse: (f: string) => AsyncGenerator<ParseItem>,
): AsyncGenerator<ParseItem> {
  for await (const f of listInputFiles(paths, exts)) yield* parse(f);
}

export const IMPORT_FORMATS: Record<string, ImportFormat> = {
  'cnvd-xml': {
    description: 'CNVD share XML (files or folders of *.xml)',
    parse: (paths) => eachFile(paths, ['.xml'], parseCnvdXml),
  },
  cve5: {
    description: 'CVE JSON 5.x records: a file, a cvelistV5-style folder tree, or a zip of one',
    parse: (paths, opts) => parseCve5(paths, undefined, opts?.cveSchemaFile),
  },
  kev: {
    description: 'CISA Known Exploited Vulnerabilities catalogue (JSON or CSV)',
    parse: (paths) => eachFile(paths, ['.json', '.csv'], parseKev),
  },
  csaf: {
    description:
      'CSAF 2.0 advisories and VEX documents (files or folders of *.json), checked by the CSAF schema and mandatory tests',
    parse: (paths) => parseCsaf(paths),
  },
  gcve: {
    description: 'GCVE-BCP-03 dumps: NDJSON of GCVE-BCP-05 records (files or folders of *.ndjson)',
    parse: (paths) => parseGcveNdjson(paths),
  },
};
