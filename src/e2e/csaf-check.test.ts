/**
 * The shipped process checks the shipped process: `vulnshare serve` (bin/vulnshare.js over dist/) on an
 * embedded data directory holding a real CNVD week, and `vulnshare csaf check` run against its
 * provider-metadata.json as a user would — exit 0 with every trusted-provider requirement met when TLS is set
 * aside on loopback, exit 1 naming requirement 3 when it is not.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedData } from '../test-support/shared-data.js';

const BIN = fileURLToPath(new URL('../../bin/vulnshare.js', import.meta.url));
const WEEK = sharedData('cnvd-share-xml', 'xml', '1256.xml');

function vulnshare(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, VULNSHARE_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A free loopback port: the public URL (and so every URL of the metadata) must name it before start. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(!WEEK)('vulnshare csaf check against vulnshare serve', () => {
  let dir: string;
  let stop: () => Promise<void>;
  let metadataUrl = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vs-csaf-'));
    const data = join(dir, 'data');
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const proc = spawn(process.execPath, [BIN, '--data', data, 'serve', '--port', String(port)], {
      env: {
        ...process.env,
        VULNSHARE_LOG_LEVEL: 'warn',
        VULNSHARE_WORKER: '0',
        VULNSHARE_PUBLIC_URL: base,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((r) => proc.on('close', () => r()));
    await new Promise<void>((resolve, reject) => {
      let err = '';
      proc.stderr.on('data', (c: Buffer) => {
        err += c.toString();
        if (err.includes(`listening on ${base}`)) resolve();
      });
      void exited.then(() => reject(new Error(`serve exited: ${err}`)));
    });
    stop = async () => {
      proc.kill('SIGTERM');
      await exited;
    };
    const imported = await vulnshare(['--data', data, 'import', 'cnvd-xml', WEEK ?? '']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/26 read, 26 imported/);
    metadataUrl = `${base}/.well-known/csaf/provider-metadata.json`;
  }, 600_000);
  afterAll(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('meets every requirement of the trusted provider role with TLS set aside on loopback', async () => {
    const r = await vulnshare(['csaf', 'check', metadataUrl, '--allow-http-loopback']);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/role csaf_trusted_provider, 26 documents read/);
    for (const [id, title] of [
      [1, 'Valid CSAF document'],
      [12, 'index.txt'],
      [15, 'ROLIE feed'],
      [18, 'Integrity'],
      [19, 'Signatures'],
      [20, 'Public OpenPGP Key'],
    ] as const)
      expect(r.stdout).toMatch(new RegExp(`^\\s*${id} ${title}\\s+pass\\b`, 'm'));
    expect(r.stdout).toMatch(/every requirement of the role csaf_trusted_provider is met/);
  }, 600_000);

  it('exits 1 naming requirement 3 over plain http without --allow-http-loopback', async () => {
    const r = await vulnshare(['csaf', 'check', metadataUrl, '--json', '--max', '2']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as { ok: boolean; failed: number[] };
    expect(j).toMatchObject({ ok: false, failed: [3] });
  }, 600_000);
});
