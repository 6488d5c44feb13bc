/**
 * The shipped process, as users run it: `vulnshare serve` (bin/vulnshare.js over dist/, built by `npm test`)
 * on an embedded data directory, with other `vulnshare` commands run beside it on the same directory, and a
 * report walked to the weekly bulletin over HTTP. Nothing here builds the app in-process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calendarDay, weekOf } from '../vulns/calendar.js';

const BIN = fileURLToPath(new URL('../../bin/vulnshare.js', import.meta.url));
const PW = 'Tea kettle orbit 7 lantern';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a vulnshare command to its end. */
function vulnshare(args: string[], env: Record<string, string> = {}, input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, VULNSHARE_LOG_LEVEL: 'warn', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    p.stdin.end(input ?? '');
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Server {
  base: string;
  proc: ChildProcess;
  stderr: () => string;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

/** Start `vulnshare serve` on a free port; resolves once it listens (or rejects with what it printed). */
function serve(dataDir: string, env: Record<string, string> = {}): Promise<Server> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, '--data', dataDir, 'serve', '--port', '0'], {
      env: { ...process.env, VULNSHARE_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    const exited = new Promise<number | null>((r) => proc.on('close', (code) => r(code)));
    proc.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(err);
      if (m?.[1])
        resolve({
          base: m[1],
          proc,
          stderr: () => err,
          stop: () => {
            proc.kill('SIGTERM');
            return exited;
          },
        });
    });
    void exited.then((code) => reject(new Error(`serve exited with ${String(code)}: ${err}`)));
  });
}

/** A KEV catalogue of the given CVE ids (the shape CISA publishes). */
function kevFile(dir: string, name: string, ids: string[]): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    JSON.stringify({
      title: 'CISA Catalog of Known Exploited Vulnerabilities',
      catalogVersion: '2026.12.01',
      dateReleased: '2026-12-01T00:00:00.000Z',
      count: ids.length,
      vulnerabilities: ids.map((cveID) => ({
        cveID,
        vendorProject: 'Acme',
        product: `Router ${cveID}`,
        vulnerabilityName: `Acme Router ${cveID} Command Injection Vulnerability`,
        dateAdded: '2026-11-30',
        shortDescription: 'Acme Router contains a command injection vulnerability.',
        requiredAction: 'Apply mitigations per vendor instructions.',
        dueDate: '2026-12-21',
        knownRansomwareCampaignUse: 'Unknown',
        notes: '',
        cwes: ['CWE-78'],
      })),
    }),
  );
  return file;
}

describe('vulnshare serve and other commands on one embedded data directory', () => {
  let dir: string;
  let data: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vs-serve-'));
    data = join(dir, 'data');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('imports beside a running server three times: the server shows each import at once, the directory opens afterwards', async () => {
    const s = await serve(data, { VULNSHARE_WORKER: '0' });
    try {
      for (const [i, id] of ['CVE-2026-0001', 'CVE-2026-0002', 'CVE-2026-0003'].entries()) {
        const r = await vulnshare(['--data', data, 'import', 'kev', kevFile(dir, `kev-${i}.json`, [id])]);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/1 read, 1 imported/);
        const seen = await fetch(`${s.base}/api/v1/vulnerabilities/${id}`);
        expect(seen.status, id).toBe(200);
      }
      const all = (await (await fetch(`${s.base}/api/v1/vulnerabilities?q=Acme&limit=10`)).json()) as {
        total: number;
      };
      expect(all.total).toBe(3);
    } finally {
      expect(await s.stop()).toBe(0);
    }
    // nobody owns it now: a command opens the files itself and finds all three
    const after = await vulnshare(['--data', data, 'search', 'Acme', '--json']);
    expect(after.code, after.stderr).toBe(0);
    expect((JSON.parse(after.stdout) as { total: number }).total).toBe(3);
    const again = await serve(data, { VULNSHARE_WORKER: '0' });
    expect(await again.stop()).toBe(0);
  }, 180_000);

  it('refuses a second server on the same directory, naming the owner', async () => {
    const s = await serve(data, { VULNSHARE_WORKER: '0' });
    try {
      const second = await vulnshare(['--data', data, 'serve', '--port', '0'], { VULNSHARE_WORKER: '0' });
      expect(second.code).toBe(75);
      expect(second.stderr).toContain(`is in use by \`vulnshare serve\` (pid ${s.proc.pid ?? ''}`);
      // the first one is unharmed
      expect((await fetch(`${s.base}/healthz`)).status).toBe(200);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  }, 120_000);

  it('starts again after its owner was killed with SIGKILL, with everything committed before', async () => {
    const s = await serve(data, { VULNSHARE_WORKER: '0' });
    const r = await vulnshare([
      '--data',
      data,
      'import',
      'kev',
      kevFile(dir, 'kev-4.json', ['CVE-2026-0004']),
    ]);
    expect(r.code, r.stderr).toBe(0);
    s.proc.kill('SIGKILL');
    await new Promise((res) => s.proc.once('close', res));
    const next = await serve(data, { VULNSHARE_WORKER: '0' });
    try {
      expect((await fetch(`${next.base}/api/v1/vulnerabilities/CVE-2026-0004`)).status).toBe(200);
    } finally {
      expect(await next.stop()).toBe(0);
    }
  }, 120_000);
});

describe('a report walked to the weekly bulletin through the real vulnshare serve', () => {
  let dir: string;
  let data: string;
  let s: Server;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vs-walk-'));
    data = join(dir, 'data');
    s = await serve(data);
  }, 120_000);
  afterAll(async () => {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = async (
    method: string,
    path: string,
    who?: { cookie: string; csrf: string },
    body?: unknown,
  ) => {
    const headers: Record<string, string> = {};
    if (who) Object.assign(headers, { cookie: who.cookie, 'x-csrf-token': who.csrf });
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(s.base + path, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await r.text();
    return { status: r.status, json: (text.startsWith('{') ? JSON.parse(text) : {}) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const login = async (email: string) => {
    const r = await fetch(`${s.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PW }),
    });
    expect(r.status, email).toBe(200);
    const json = (await r.json()) as { csrfToken: string };
    return { cookie: (r.headers.get('set-cookie') ?? '').split(';')[0] ?? '', csrf: json.csrfToken };
  };

  it('report → verify → notify → the bulletin counts the notified vendor and sector unit', async () => {
    // accounts made with the CLI while the server runs (through the server's database)
    for (const [email, role] of [
      ['analyst@cert.example', 'analyst'],
      ['lin@whitehat.example', 'reporter'],
    ] as const) {
      const r = await vulnshare(
        ['--data', data, 'admin', 'create', '--email', email, '--name', email, '--role', role],
        {
          VULNSHARE_PASSWORD: PW,
        },
      );
      expect(r.code, r.stderr).toBe(0);
    }
    const analyst = await login('analyst@cert.example');
    const lin = await login('lin@whitehat.example');
    const sub = await call('POST', '/api/v1/submissions', lin, {
      kind: 'general',
      title: 'Tenda AC18 formSetFirewallCfg 函数缓冲区溢出漏洞',
      vendor: 'Tenda',
      product: 'AC18',
      version: '15.03.05.19',
      description:
        'Tenda AC18 15.03.05.19 的 formSetFirewallCfg 函数存在缓冲区溢出漏洞，攻击者可执行任意代码。',
      reproduction: 'POST /goform/SetFirewallCfg firewallEn=超长字符串',
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      originality: 'original',
    });
    expect(sub.status).toBe(201);
    const no = String(sub.json.trackingNo);
    for (const to of ['triaged', 'verifying'])
      expect((await call('POST', `/api/v1/submissions/${no}/transitions`, analyst, { to })).status).toBe(200);
    const verified = await call('POST', `/api/v1/submissions/${no}/transitions`, analyst, {
      to: 'verified',
      verification: {
        environment: 'AC18 15.03.05.19',
        steps: '超长 firewallEn',
        result: 'reproduced',
        verifier: 'CERT',
      },
    });
    expect(verified.status).toBe(200);

    const org = await call('POST', '/api/v1/organisations', analyst, { kind: 'vendor', name: 'Tenda' });
    expect(org.status).toBe(201);
    const orgId = Number(org.json.id);
    expect(
      (
        await call('POST', `/api/v1/organisations/${orgId}/contacts`, analyst, {
          name: 'PSIRT',
          email: 'psirt@tenda.example',
        })
      ).status,
    ).toBe(201);
    const bank = await call('POST', '/api/v1/organisations', analyst, {
      kind: 'member_unit',
      name: '某商业银行',
      sector: 'banking',
    });
    expect(bank.status).toBe(201);
    const notified = await call('POST', `/api/v1/submissions/${no}/notifications`, analyst, {
      recipients: [
        { organisationId: orgId, category: 'vendor' },
        { organisationId: Number(bank.json.id), category: 'critical_sector' },
      ],
    });
    expect(notified.status).toBe(201);

    const week = weekOf(calendarDay(new Date().toISOString())).id;
    const b = await call('GET', `/api/v1/bulletins/${week}?format=json`, analyst);
    expect(b.status).toBe(200);
    expect(b.json).toMatchObject({
      state: 'draft',
      figures: {
        disposal: { counts: { critical_sector: 1, telecom_operator: 0 }, organisations: ['Tenda'] },
      },
    });
    // the CLI's bulletin, beside the server, says the same
    const md = await vulnshare(['--data', data, 'report', 'weekly', '--week', week, '--format', 'json']);
    expect(md.code, md.stderr).toBe(0);
    expect(JSON.parse(md.stdout)).toMatchObject({
      figures: { disposal: { counts: { critical_sector: 1 }, organisations: ['Tenda'] } },
    });
  }, 180_000);
});
