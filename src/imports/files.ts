/** Input files of an import: each path a file or a folder (walked recursively, sorted, hidden files skipped). */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../errors.js';

export async function* listInputFiles(paths: string[], exts: string[]): AsyncGenerator<string> {
  for (const p of paths) {
    let st;
    try {
      st = await stat(p);
    } catch {
      throw new AppError('invalid_input', `${p}: no such file or directory`, { path: p });
    }
    if (st.isFile()) yield p;
    else if (st.isDirectory()) yield* walk(p, exts);
  }
}

async function* walk(dir: string, exts: string[]): AsyncGenerator<string> {
  const entries = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => !e.name.startsWith('.'))
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p, exts);
    else if (e.isFile() && exts.some((x) => e.name.toLowerCase().endsWith(x))) yield p;
  }
}
