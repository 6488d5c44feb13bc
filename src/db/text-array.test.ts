import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { openDatabase, type Database } from './client.js';
import { migrate } from './migrate.js';
import { TextArrayParam, encodeTextArray } from './text-array.js';

// what an array literal or JSON would have to escape, the characters past the BMP, and a large value
const VALUES = [
  'plain',
  '',
  'NULL',
  'quote " backslash \\ comma , braces {} apostrophe \'',
  '{"a":[1,2],"b":"\\u0041"}',
  '中文 漏洞 · 🛡️ emoji, tab\tnewline\n',
  'lone surrogate \ud800 becomes U+FFFD',
  'x'.repeat(300_000),
];
const EXPECTED = VALUES.map((v) => v.replace(/\ud800/, '\ufffd'));

async function roundTrip(d: Database, values: readonly string[]): Promise<string[]> {
  const r = await sql<{ v: string; n: number }>`
    SELECT v, n::int AS n FROM unnest(${new TextArrayParam(values)}::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n`.execute(
    d.db,
  );
  return r.rows.map((x) => x.v);
}

async function zipped(d: Database): Promise<Array<{ k: string; v: string }>> {
  const r = await sql<{ k: string; v: string }>`
    SELECT x.k, x.v FROM ROWS FROM (
      jsonb_to_recordset(${JSON.stringify([{ k: 'a' }, { k: 'b' }])}::jsonb) AS (k text),
      unnest(${new TextArrayParam(['first', 'second'])}::text[])
    ) AS x(k, v)`.execute(d.db);
  return r.rows;
}

describe('encodeTextArray', () => {
  it('writes the header, dimension and length-prefixed UTF-8 elements array_recv reads', () => {
    const b = encodeTextArray(['ab', '漏']);
    expect([...b]).toEqual([
      0, 0, 0, 1, /* ndim */ 0, 0, 0, 0, /* no nulls */ 0, 0, 0, 25, /* text */ 0, 0, 0, 2, /* n */ 0, 0, 0,
      1, /* lower bound */ 0, 0, 0, 2, 0x61, 0x62, 0, 0, 0, 3, 0xe6, 0xbc, 0x8f,
    ]);
    expect([...encodeTextArray([])]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 25]);
  });
});

describe.each(testBackends())('a binary text[] parameter (%s)', (backend) => {
  let d: Database;
  afterAll(async () => d?.close());

  it('arrives element for element, in order, and zips with a JSON recordset', async () => {
    d = await freshDatabase(backend);
    expect(await roundTrip(d, VALUES)).toEqual(EXPECTED);
    expect(await roundTrip(d, [])).toEqual([]);
    expect(await zipped(d)).toEqual([
      { k: 'a', v: 'first' },
      { k: 'b', v: 'second' },
    ]);
  });
});

describe('a binary text[] parameter through the owner of an embedded database', () => {
  it('arrives as it does on the owner itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vulnshare-text-array-'));
    const owner = await openDatabase({ dataDir: dir, as: { command: 'test', longRunning: false } });
    try {
      await migrate(owner);
      const client = await openDatabase({ dataDir: dir, as: { command: 'test', longRunning: false } });
      try {
        expect(client.via).toBe('client');
        expect(await roundTrip(client, VALUES)).toEqual(EXPECTED);
        expect(await zipped(client)).toHaveLength(2);
      } finally {
        await client.close();
      }
      expect(owner.via).toBe('owner');
      expect(await roundTrip(owner, VALUES)).toEqual(EXPECTED);
    } finally {
      await owner.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
