/**
 * Where the real public data lives (../shared/data beside the checkout) and how tests skip
 * with a clear message when a fresh clone has none of it. Override with VULNSHARE_SHARED_DATA.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const sharedDataDir = process.env.VULNSHARE_SHARED_DATA ?? resolve(repoRoot, '..', 'shared', 'data');

/** Absolute path of a file or folder under the shared data, or null (with a message) when absent. */
export function sharedData(...parts: string[]): string | null {
  const p = join(sharedDataDir, ...parts);
  if (existsSync(p)) return p;
  console.warn(`[skip] shared data not found: ${p} (set VULNSHARE_SHARED_DATA to ../shared/data)`);
  return null;
}

export const hasSharedData = (...parts: string[]): boolean => existsSync(join(sharedDataDir, ...parts));
