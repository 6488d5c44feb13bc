/** Input files of an import: each path a file or a folder (walked recursively, sorted, hidden files skipped). */
import { readdir, readFile } from 'node:fs/promises';
import { readFileSync, type Stats, statSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../errors.js';

/**
 * Input files are looked at (stat) and, up to READ_AHEAD_MAX_BYTES, read synchronously, on every thread: each
 * promise-based stat and readFile is several hops through libuv's pool, and on this machine's kind (two shared
 * cores) a hop costs tens of microseconds of the waiting thread's CPU. Reading the 20,000 files of a corpus on a
 * worker thread: 2.0–2.1 s and 3.0–3.3 s of CPU with promises (16 in flight), 0.33–0.47 s and 0.37–0.52 s
 * synchronously; on the main thread, which parses small imports itself (a daily delta of 1,000 CVE records),
 * 1,000 files of 6 KB: 57 ms synchronously, 162 ms with all in flight, 470 ms one after another. A 6 KB file
 * blocks the event loop for about 60 µs, less than parsing it on the same thread takes. Larger files (read at
 * their turn) keep the promise.
 */
const statOf = (p: string): Promise<Stats> => new Promise((resolve) => resolve(statSync(p)));
const textOfSmallFile = (p: string): Promise<string> =>
  new Promise((resolve) => resolve(readFileSync(p, 'utf8')));
const textOfFile = (p: string): Promise<string> => readFile(p, 'utf8');

/** Folder entries in numeric-aware order (CVE-2024-999 before CVE-2024-1000); one collator, not one per compare. */
const byName = new Intl.Collator('en', { numeric: true }).compare;

/** How many given paths are looked at (stat) at once: a worker's task and a small delta name each file. */
const STAT_AHEAD = 64;

export async function* listInputFiles(paths: string[], exts: string[]): AsyncGenerator<string> {
  for (let i = 0; i < paths.length; i += STAT_AHEAD) {
    const chunk = paths.slice(i, i + STAT_AHEAD);
    const stats = await Promise.all(chunk.map((p) => statOf(p).catch(() => null)));
    for (const [j, p] of chunk.entries()) {
      const st: Stats | null | undefined = stats[j];
      if (!st) throw new AppError('invalid_input', `${p}: no such file or directory`, { path: p });
      if (st.isFile()) yield p;
      else if (st.isDirectory()) yield* walk(p, exts);
    }
  }
}

async function* walk(dir: string, exts: string[]): AsyncGenerator<string> {
  const entries = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => !e.name.startsWith('.'))
    .sort((a, b) => byName(a.name, b.name));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p, exts);
    else if (e.isFile() && exts.some((x) => e.name.toLowerCase().endsWith(x))) yield p;
  }
}

/**
 * `read` applied to each item a few at once (`depth` in flight), the results yielded in input order. Each read is
 * a few round trips to libuv's thread pool (stat, open, read, close); awaited one file after another they left
 * the thread idle most of the time (1,000 record files of 6 KB: 280 ms one by one, 50 ms 16 at once). A read
 * that fails rejects at its turn, not before; `read` bounds what it holds (see parseCve5).
 */
export async function* readAhead<T>(
  items: AsyncIterable<string>,
  read: (item: string) => Promise<T>,
  depth = 16,
): AsyncGenerator<[string, T]> {
  const it = items[Symbol.asyncIterator]();
  const queue: Array<[string, Promise<T>]> = [];
  let listed = false;
  try {
    for (;;) {
      while (!listed && queue.length < depth) {
        const n = await it.next();
        if (n.done) listed = true;
        else {
          const p = read(n.value);
          p.catch(() => undefined); // surfaced when its turn comes
          queue.push([n.value, p]);
        }
      }
      const head = queue.shift();
      if (!head) return;
      yield [head[0], await head[1]];
    }
  } finally {
    if (!listed) await it.return?.(undefined);
  }
}

/** Input files up to this size are read ahead of their turn; larger ones (rare: a CVE record is ~6 KB) at it. */
const READ_AHEAD_MAX_BYTES = 1024 * 1024;

/** An input file as read ahead by readInputFile: its text, or why not yet or not at all. */
export type InputFile =
  | { kind: 'text'; text: string }
  | { kind: 'at-turn' }
  | { kind: 'too-large'; size: number }
  | { kind: 'unreadable'; message: string };

/**
 * One input file for readAhead: refused unread past maxBytes; read now if small, else left to be read at its
 * turn (textOf), so that what is read ahead stays under depth × 1 MiB. Never rejects: a file that cannot be
 * read is reported at its turn like any other.
 */
export async function readInputFile(f: string, maxBytes: number): Promise<InputFile> {
  try {
    const size = (await statOf(f)).size;
    if (size > maxBytes) return { kind: 'too-large', size };
    if (size > READ_AHEAD_MAX_BYTES) return { kind: 'at-turn' };
    return { kind: 'text', text: await textOfSmallFile(f) };
  } catch (e) {
    return { kind: 'unreadable', message: e instanceof Error ? e.message : String(e) };
  }
}

/** The text of a file read ahead (or, if large, now). */
export function textOf(
  f: string,
  got: { kind: 'text'; text: string } | { kind: 'at-turn' },
): Promise<string> {
  return got.kind === 'text' ? Promise.resolve(got.text) : textOfFile(f);
}
