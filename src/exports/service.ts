/** One record in an export format, by any of its ids: what the routes and `vulnshare show` call. */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import { findVulnId } from '../vulns/store.js';
import { toOsv } from './osv.js';
import { exportRowById } from './store.js';

export async function getOsv(db: Kysely<DB>, rawId: string): Promise<Record<string, unknown>> {
  const found = await findVulnId(db, rawId);
  const row = found ? await exportRowById(db, found.id, { cveRaw: true }) : null;
  if (!row) throw new AppError('not_found', `No vulnerability is known by the id "${rawId}"`, { id: rawId });
  return toOsv(row);
}

const anyObject = { type: 'object', additionalProperties: true } as const;
const strings = { type: 'array', items: { type: 'string' } } as const;
const severity = {
  type: 'array',
  items: { type: 'object', properties: { type: { type: 'string' }, score: { type: 'string' } } },
} as const;

/** The response schema of an OSV record: OSV's fields, database_specific blocks passed through. */
export const osvResponseSchema = {
  type: 'object',
  description: 'An OSV record (https://ossf.github.io/osv-schema/)',
  properties: {
    schema_version: { type: 'string' },
    id: { type: 'string' },
    modified: { type: 'string', format: 'date-time' },
    published: { type: 'string', format: 'date-time' },
    withdrawn: { type: 'string', format: 'date-time' },
    aliases: strings,
    summary: { type: 'string' },
    details: { type: 'string' },
    severity,
    affected: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          package: {
            type: 'object',
            properties: { ecosystem: { type: 'string' }, name: { type: 'string' }, purl: { type: 'string' } },
          },
          ranges: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                type: { type: 'string' },
                repo: { type: 'string' },
                events: {
                  type: 'array',
                  items: { type: 'object', additionalProperties: { type: 'string' } },
                },
                database_specific: anyObject,
              },
            },
          },
          versions: strings,
          ecosystem_specific: anyObject,
          database_specific: anyObject,
        },
      },
    },
    references: {
      type: 'array',
      items: { type: 'object', properties: { type: { type: 'string' }, url: { type: 'string' } } },
    },
    credits: {
      type: 'array',
      items: { type: 'object', properties: { name: { type: 'string' }, type: { type: 'string' } } },
    },
    database_specific: anyObject,
  },
  required: ['id', 'modified'],
} as const;
