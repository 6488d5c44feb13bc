/**
 * Bench (l), a daily delta: 1,000 records of the corpus, changed as a CNA's daily update changes them (a new
 * sentence in the description, dateUpdated moved), written to a folder of their own and imported into the
 * store the corpus is loaded in. `round` picks other records and other words each time, so every round
 * really changes what it imports.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { tmpdir } from 'node:os';
import { isRecordName } from '../src/imports/cve5.js';
import { listInputFiles } from '../src/imports/files.js';

export async function writeDelta(corpus: string, round: number, count = 1000): Promise<string> {
  const all: string[] = [];
  for await (const f of listInputFiles([corpus], ['.json'])) if (isRecordName(basename(f))) all.push(f);
  const step = Math.max(1, Math.floor(all.length / count));
  const out = join(tmpdir(), `vulnshare-bench-delta-${round}`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (let i = 0; i < count && i * step + (round % step) < all.length; i++) {
    const f = all[i * step + (round % step)] as string;
    const rec = JSON.parse(readFileSync(f, 'utf8')) as {
      cveMetadata: { dateUpdated?: string };
      containers: { cna: { descriptions?: Array<{ value: string }> } };
    };
    rec.cveMetadata.dateUpdated = new Date(Date.UTC(2026, 10, 1 + round)).toISOString();
    const d = rec.containers.cna.descriptions?.[0];
    if (d) d.value += ` Updated in round ${round}: the vendor has released a fix.`;
    writeFileSync(join(out, basename(f)), JSON.stringify(rec));
  }
  return out;
}
