/** The public reporter ranking on both backends: it counts what the bulletin's Table 1 counts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { CLI, type Principal } from '../accounts/model.js';
import { createAccountService } from '../accounts/service.js';
import { createSubmissionService, type SubmissionInput } from './service.js';
import { createReporterStats } from './stats.js';
import { completeConfig, createPlatform } from '../app/platform.js';

const PW = 'correct horse battery staple';
const WEEK = '2026-W02'; // 2026-01-05 … 2026-01-11
const NOW = () => new Date('2026-01-07T02:00:00Z');

const report = (n: number): SubmissionInput => ({
  kind: 'general',
  title: `Tenda AC${n} 路由器 formSetPPTP${n} 函数缓冲区溢出漏洞`,
  vendor: 'Tenda',
  product: `AC${n}`,
  version: '1.0',
  description: `Tenda AC${n} 的 formSetPPTP${n} 函数存在缓冲区溢出漏洞，攻击者可利用该漏洞导致拒绝服务。`,
  originality: 'original',
});

describe.each(testBackends())('reporter ranking on %s', (backend) => {
  let d: Database;
  const people: Record<string, Principal> = {};
  beforeAll(async () => {
    d = await freshDatabase(backend);
    const accounts = createAccountService({ db: d.db });
    for (const [name, role] of [
      ['analyst', 'analyst'],
      ['spammer', 'reporter'],
      ['lin', 'reporter'],
    ] as const) {
      await accounts.createUser(CLI, { email: `${name}@vs.example`, displayName: name, password: PW, role });
      const s = await accounts.resolveSession(
        (await accounts.login({ email: `${name}@vs.example`, password: PW })).session,
      );
      if (!s) throw new Error('no session');
      people[name] = s.principal;
    }
  }, 120_000);
  afterAll(async () => {
    await d.close();
  });
  const who = (n: string): Principal => {
    const p = people[n];
    if (!p) throw new Error(n);
    return p;
  };

  it('does not move for a burst of unverified submissions, moves for a verified one, and equals Table 1', async () => {
    const submissions = createSubmissionService({ db: d.db, clock: NOW });
    const stats = createReporterStats({ db: d.db, clock: NOW });
    const { bulletins } = createPlatform(d, completeConfig({ publicUrl: 'https://vulnshare.example' }), {
      clock: NOW,
    });
    const before = await stats.ranking(WEEK);
    expect(before.rows).toEqual([]);

    for (let i = 0; i < 30; i++) await submissions.submit(who('spammer'), report(i));
    const afterBurst = await stats.ranking(WEEK);
    expect(afterBurst.rows).toEqual([]);
    expect(afterBurst.total).toEqual({ reported: 0, original: 0 });

    const s = await submissions.submit(who('lin'), report(100));
    for (const to of ['triaged', 'verifying'] as const)
      await submissions.transition(who('analyst'), s.trackingNo, { to });
    await submissions.transition(who('analyst'), s.trackingNo, {
      to: 'verified',
      verification: {
        environment: 'AC100 1.0 in the lab',
        steps: 'POST /goform/SetPPTP with 2,000 bytes',
        result: 'reproduced',
        verifier: 'vulnshare',
      },
    });
    const afterVerified = await stats.ranking(WEEK);
    expect(afterVerified.rows).toEqual([
      { rank: 1, name: null, kind: 'individuals', reported: 1, original: 1 },
    ]);
    expect(afterVerified.total).toEqual({ reported: 1, original: 1 });

    const table1 = (await bulletins.get(CLI, WEEK)).data.reporters;
    expect(afterVerified.total).toEqual(table1.total);
    expect(afterVerified.rows.map((r) => [r.kind, r.reported, r.original])).toEqual(
      table1.rows.map((r) => [r.kind, r.reported, r.original]),
    );
  });
});
