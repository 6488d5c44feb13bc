/**
 * Bench (d), the floor: the fastest honest pipeline for the bytes of an import — every file read (16 reads in
 * flight) and JSON.parse'd, its text COPY'd into a bare `jsonb` table, the next chunk read and parsed while the
 * database takes the last one (one COPY in flight). No validation, no merge, no index: what any import of the
 * same corpus into the same database must at least spend.
 */
import { readFile } from 'node:fs/promises';
import type { Database } from '../src/db/client.js';
import { listInputFiles } from '../src/imports/files.js';

const READS_IN_FLIGHT = 16;
const CHUNK_BYTES = 8 * 1024 * 1024;

/** COPY text format: backslash, newline, carriage return and tab escaped. */
const copyEscape = (s: string) => s.replace(/[\\\n\r\t]/g, (c) => ESCAPES[c] ?? c);
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

async function* texts(paths: string[]): AsyncGenerator<{ file: string; text: string }> {
  const window: Array<Promise<{ file: string; text: string }>> = [];
  for await (const file of listInputFiles(paths, ['.json'])) {
    window.push(readFile(file, 'utf8').then((text) => ({ file, text })));
    if (window.length >= READS_IN_FLIGHT)
      yield await (window.shift() as Promise<{ file: string; text: string }>);
  }
  for (const p of window) yield await p;
}

export async function floor(d: Database, paths: string[]): Promise<{ records: number; bytes: number }> {
  await d.exec('DROP TABLE IF EXISTS bench_floor; CREATE TABLE bench_floor (key text, raw jsonb)');
  let records = 0;
  let bytes = 0;
  let chunk: string[] = [];
  let chunkBytes = 0;
  let inFlight: Promise<void> = Promise.resolve();
  const send = async () => {
    const text = chunk.join('');
    chunk = [];
    chunkBytes = 0;
    await inFlight;
    inFlight = d.copyFrom('COPY bench_floor (key, raw) FROM STDIN', text);
    inFlight.catch(() => undefined); // surfaced by the next await
  };
  for await (const { text } of texts(paths)) {
    const o = JSON.parse(text) as { cveMetadata?: { cveId?: string } };
    const key = o.cveMetadata?.cveId;
    if (!key) continue; // the corpus's manifest: read and parsed like a record, not a record
    const line = `${copyEscape(key)}\t${copyEscape(text)}\n`;
    records++;
    bytes += text.length;
    chunk.push(line);
    chunkBytes += line.length;
    if (chunkBytes >= CHUNK_BYTES) await send();
  }
  if (chunk.length) await send();
  await inFlight;
  return { records, bytes };
}
