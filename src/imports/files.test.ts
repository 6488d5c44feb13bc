import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { listInputFiles, readAhead, readInputFile, textOf } from './files.js';

async function* names(n: number, listed: string[] = []): AsyncGenerator<string> {
  for (let i = 0; i < n; i++) {
    listed.push(`f${i}`);
    yield await Promise.resolve(`f${i}`);
  }
}
const later = <T>(ms: number, v: T) => new Promise<T>((r) => setTimeout(() => r(v), ms));

describe('readAhead', () => {
  it('yields in input order while reads finish out of order, never more than depth at once', async () => {
    let inFlight = 0;
    let most = 0;
    const got: string[] = [];
    for await (const [name, v] of readAhead(
      names(40),
      async (f) => {
        most = Math.max(most, ++inFlight);
        const n = Number(f.slice(1));
        await later((n * 7) % 5, null); // later items often finish first
        inFlight--;
        return `read ${f}`;
      },
      8,
    )) {
      expect(v).toBe(`read ${name}`);
      got.push(name);
    }
    expect(got).toEqual(Array.from({ length: 40 }, (_, i) => `f${i}`));
    expect(most).toBe(8);
  });

  it('surfaces a failed read at its turn, after the items before it', async () => {
    const got: string[] = [];
    await expect(async () => {
      for await (const [name] of readAhead(names(10), async (f) => {
        if (f === 'f4') throw new Error('f4 is gone');
        await later(2, null);
        return f;
      }))
        got.push(name);
    }).rejects.toThrow('f4 is gone');
    expect(got).toEqual(['f0', 'f1', 'f2', 'f3']);
  });

  it('stops listing when its reader stops early', async () => {
    const listed: string[] = [];
    for await (const [name] of readAhead(names(1000, listed), (f) => Promise.resolve(f), 4))
      if (name === 'f2') break;
    expect(listed.length).toBeLessThanOrEqual(7);
  });
});

/** A folder whose tree/b holds CVE-2024-10 and CVE-2024-9 (numeric order), a hidden file, and `more`. */
function sortedTree(more: string[], content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'vulnshare-files-'));
  mkdirSync(join(dir, 'tree', 'b'), { recursive: true });
  for (const f of ['tree/b/CVE-2024-10.json', 'tree/b/CVE-2024-9.json', 'tree/.hidden.json', ...more])
    writeFileSync(join(dir, f), content);
  return dir;
}

describe('listInputFiles', () => {
  it('lists given files and walked folders in order, and names a missing path after the ones before it', async () => {
    const dir = sortedTree(['tree/a.txt'], '{}');
    const given = Array.from({ length: 70 }, (_, i) => join(dir, `CVE-2024-${i}.json`));
    for (const f of given) writeFileSync(f, '{}');
    const got: string[] = [];
    for await (const f of listInputFiles([...given, join(dir, 'tree')], ['.json'])) got.push(f);
    expect(got).toEqual([
      ...given,
      join(dir, 'tree/b/CVE-2024-9.json'),
      join(dir, 'tree/b/CVE-2024-10.json'),
    ]);

    const seen: string[] = [];
    await expect(async () => {
      for await (const f of listInputFiles([...given.slice(0, 65), join(dir, 'nope.json')], ['.json']))
        seen.push(f);
    }).rejects.toThrow(`${join(dir, 'nope.json')}: no such file or directory`);
    expect(seen).toEqual(given.slice(0, 65));
  });
});

describe('readInputFile', () => {
  it('reads a small file now, leaves a large one to its turn, refuses one over the limit, reports a missing one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vulnshare-files-'));
    const small = join(dir, 'small.json');
    const large = join(dir, 'large.json');
    writeFileSync(small, '{"a":1}');
    writeFileSync(large, `"${'x'.repeat(1024 * 1024)}"`);
    expect(await readInputFile(small, 4096)).toEqual({ kind: 'text', text: '{"a":1}' });
    expect(await readInputFile(large, 4096)).toEqual({ kind: 'too-large', size: 1024 * 1024 + 2 });
    const atTurn = await readInputFile(large, 8 * 1024 * 1024);
    expect(atTurn).toEqual({ kind: 'at-turn' });
    if (atTurn.kind !== 'at-turn') throw new Error('unreachable');
    expect((await textOf(large, atTurn)).length).toBe(1024 * 1024 + 2);
    const missing = await readInputFile(join(dir, 'gone.json'), 4096);
    expect(missing.kind).toBe('unreadable');
    expect(missing.kind === 'unreadable' && missing.message).toContain('gone.json');
  });
});

describe('on a worker thread (synchronous reads)', () => {
  it('lists, reads, refuses and reports exactly as on the main thread', async () => {
    const dir = sortedTree(['small.json'], '{"a":1}');
    writeFileSync(join(dir, 'large.json'), `"${'x'.repeat(1024 * 1024)}"`);
    const paths = {
      files: ['small.json', 'large.json', 'gone.json'].map((f) => join(dir, f)),
      listed: [join(dir, 'small.json'), join(dir, 'tree')],
      missing: join(dir, 'gone.json'),
    };
    /** What files.ts gives for the fixture, on whichever thread calls it (sent as source: no imports in it). */
    const summary = async (m: typeof import('./files.js'), p: typeof paths) => {
      const listed: string[] = [];
      for await (const f of m.listInputFiles(p.listed, ['.json'])) listed.push(f);
      const got: unknown[] = [];
      for (const limit of [4096, 8 * 1024 * 1024])
        for (const f of p.files) {
          const r = await m.readInputFile(f, limit);
          got.push(r.kind === 'at-turn' ? { kind: r.kind, length: (await m.textOf(f, r)).length } : r);
        }
      let missing = '';
      await m
        .listInputFiles([p.missing], ['.json'])
        .next()
        .catch((e: Error) => {
          missing = e.message;
        });
      return { listed, got, missing };
    };
    const here = await summary(await import('./files.js'), paths);
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       import('tsx/esm/api')
         .then(({ tsImport }) => tsImport(workerData.module, workerData.module))
         .then(async (m) => parentPort.postMessage(await (0, eval)(workerData.summary)(m, workerData.paths)));`,
      {
        eval: true,
        workerData: {
          module: new URL('./files.ts', import.meta.url).href,
          summary: `(${summary.toString()})`,
          paths,
        },
        env: { ...process.env },
      },
    );
    const there = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(there).toEqual(here);
    expect(here.listed).toHaveLength(3);
    expect(here.missing).toContain('gone.json: no such file or directory');
  });
});
