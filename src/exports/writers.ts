/**
 * The platform's record writers for a bulk export — CVE JSON 5 under the platform's organisation and CSAF with
 * the platform as publisher — built from the configuration in one place, so that `vulnshare export` and the
 * benchmark write the same documents.
 */
import type { Kysely } from 'kysely';
import type { Config } from '../config/config.js';
import { csafDocuments } from '../csaf/service.js';
import type { DB } from '../db/schema.js';
import { toCve5 } from '../vulns/export-cve5.js';
import type { BulkOptions } from './bulk.js';

export function platformWriters(
  db: Kysely<DB>,
  config: Pick<Config, 'platformOrg' | 'publicUrl'>,
): Required<Pick<BulkOptions, 'cve5' | 'csaf'>> {
  return {
    cve5: (m, cveId) =>
      toCve5(m, { org: config.platformOrg, requestedId: cveId, publicUrl: config.publicUrl }),
    csaf: (rows) =>
      csafDocuments(db, rows, {
        publisher: { name: config.platformOrg.shortName, namespace: config.publicUrl },
      }),
  };
}
