/** The peer commands, run in-process through `main` against two PGlite data folders. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main.js';
import type { Identity, PeerView } from './service.js';

const sink = () => {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => text };
};

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = sink();
  const err = sink();
  const code = await main(['node', 'vulnshare', ...args], out.stream, err.stream);
  return { code, stdout: out.text(), stderr: err.text() };
}

// every command opens (and the first one migrates) an embedded data folder: slow on a busy machine
describe('peer commands (in-process, PGlite data folders)', { timeout: 240_000 }, () => {
  let dir: string;
  const saved = { ...process.env };
  const on =
    (name: string) =>
    (...args: string[]) => {
      process.env.VULNSHARE_SHORT_NAME = name;
      return run(['--data', join(dir, name), ...args]);
    };
  const national = on('national');
  const sector = on('sector-a');

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vs-peer-cli-'));
  });
  afterAll(() => {
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('peer init prints the name, URL, key id and public key, the same key each time', async () => {
    const first = await sector('peer', 'init');
    expect(first.code, first.stderr).toBe(0);
    const id = JSON.parse(first.stdout) as Identity;
    expect(id).toMatchObject({ name: 'sector-a', algorithm: 'Ed25519', retiredKeys: [] });
    expect(id.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(id.keyId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(JSON.parse((await sector('peer', 'init')).stdout)).toEqual(id);
  });

  it('peer add takes what init printed and a policy; list shows it; a bad policy exits 2 naming the field', async () => {
    const id = JSON.parse((await sector('peer', 'init')).stdout) as Identity;
    const bad = await national(
      'peer',
      'add',
      '--name',
      'sector-a',
      '--url',
      'http://127.0.0.1:9',
      '--key',
      id.publicKeyBase64,
      '--policy',
      '{"receive":{"tlp":["white"]}}',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/receive\.tlp: unknown white/);
    const added = await national(
      'peer',
      'add',
      '--name',
      'sector-a',
      '--url',
      'http://127.0.0.1:9/',
      '--key',
      id.publicKeyBase64,
      '--policy',
      '{"receive":{"excludeVendors":["Acme"]}}',
    );
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain(`added peer sector-a at http://127.0.0.1:9 (key ${id.keyId})`);
    const again = await national(
      'peer',
      'add',
      '--name',
      'sector-a',
      '--url',
      'http://127.0.0.1:9',
      '--key',
      id.publicKey,
    );
    expect(again.code).toBe(2);
    const list = JSON.parse((await national('peer', 'list', '--json')).stdout) as PeerView[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      name: 'sector-a',
      cursor: '0',
      state: 'active',
      keys: [{ keyId: id.keyId, state: 'active' }],
    });
    expect(list[0]?.policy.receive.excludeVendors).toEqual(['Acme']);
  });

  it('peer share answers per peer; an unknown case is refused by its tracking number', async () => {
    const r = await national('peer', 'share', 'VS-2099-99999', '--name', 'sector-a');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/VS-2099-99999/);
  });

  it('peer sync of an unreachable peer exits 75 and keeps the error; peer remove removes it', async () => {
    const r = await national('peer', 'sync', '--name', 'sector-a');
    expect(r.code).toBe(75);
    expect(r.stdout).toMatch(/peer sector-a: failed/);
    const [v] = JSON.parse((await national('peer', 'list', '--json')).stdout) as PeerView[];
    expect(v?.lastError).not.toBeNull();
    expect(v?.cursor).toBe('0');
    expect((await national('peer', 'remove', 'sector-a')).code).toBe(0);
    expect((await national('peer', 'remove', 'sector-a')).code).toBe(3);
  });

  it('peer rotate-key keeps the old key as retired', async () => {
    const before = JSON.parse((await sector('peer', 'init')).stdout) as Identity;
    const after = JSON.parse((await sector('peer', 'rotate-key')).stdout) as Identity;
    expect(after.keyId).not.toBe(before.keyId);
    expect(after.retiredKeys.map((k) => k.keyId)).toEqual([before.keyId]);
  });
});
