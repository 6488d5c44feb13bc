/** Submissions on both backends: intake, visibility, the workflow table, ids, duplicates, attachments. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { ANONYMOUS, CLI, type Principal } from '../accounts/model.js';
import { createAccountService } from '../accounts/service.js';
import { listAudit } from '../audit/audit.js';
import { affectedPoints, duplicateScore, type DedupSubject } from './dedup.js';
import { trackingNumber } from './ids.js';
import { createSubmissionService, type SubmissionInput, type SubmissionService } from './service.js';
import * as store from './store.js';
import { findTransition, TRANSITIONS } from './workflow.js';
import { parseSearchParams } from '../search/query.js';
import { searchVulns } from '../search/store.js';
import { getVulnerability } from '../vulns/store.js';

const PW = 'correct horse battery staple';

const dlink = (param: string, over: Partial<SubmissionInput> = {}): SubmissionInput => ({
  kind: 'general',
  title: `D-Link DIR-823G ${param} 参数缓冲区溢出漏洞`,
  vendor: 'D-Link',
  product: 'DIR-823G',
  version: '1.0.2B05',
  description: `D-Link DIR-823G 1.0.2B05 的 /HNAP1 接口中 ${param} 参数存在缓冲区溢出漏洞，攻击者可利用该漏洞导致拒绝服务。`,
  reproduction: `POST /HNAP1 with a 2,000-byte ${param}`,
  cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  originality: 'original',
  ...over,
});

describe('the workflow table', () => {
  it('reads like the table', () => {
    expect(findTransition('submitted', 'triaged', 'analyst')).toBeTruthy();
    expect(findTransition('submitted', 'verified', 'analyst')).toBeUndefined();
    expect(findTransition('need_info', 'triaged', 'reporter')?.requires).toEqual(['note']);
    expect(findTransition('triaged', 'verifying', 'reporter')).toBeUndefined();
    expect(findTransition('verifying', 'verified', 'analyst')?.requires).toEqual(['verification']);
    // nothing leaves published, duplicate or rejected
    for (const end of ['published', 'duplicate', 'rejected'] as const)
      expect(TRANSITIONS.filter((t) => t.from.includes(end))).toEqual([]);
  });
  it('makes readable tracking numbers', () => {
    expect(trackingNumber('2026-01-05', Buffer.from([0, 0, 0, 0, 31]))).toBe('S-20260105-0000000Z');
  });
});

describe('duplicate scoring', () => {
  const subj = (id: string, title: string, over: Partial<DedupSubject> = {}): DedupSubject => ({
    id,
    title,
    vendorKey: 'd-link',
    productKey: 'dir-823g',
    cwe: 'CWE-119',
    weakness: '缓冲区溢出',
    cveId: null,
    points: affectedPoints(title),
    ...over,
  });
  it('finds the affected parameter, function or path', () => {
    expect(affectedPoints('D-Link DIR-823G SetDeviceSettings 函数缓冲区溢出漏洞')).toEqual([
      'setdevicesettings',
    ]);
    expect(affectedPoints('MCMS /content/list.do 中的 categoryType 参数缺少验证')).toEqual(
      expect.arrayContaining(['categorytype', '/content/list.do']),
    );
  });
  it('keeps siblings with different parameters apart, brings the same parameter or CVE together', () => {
    const endTime = subj('a', 'D-Link DIR-823G EndTime 参数缓冲区溢出漏洞');
    const mac = subj('b', 'D-Link DIR-823G MacAddress 参数缓冲区溢出漏洞');
    const endTime2 = subj('c', 'D-Link DIR-823G 路由器 EndTime 参数存在缓冲区溢出漏洞');
    expect(duplicateScore(endTime, mac)).toBeLessThanOrEqual(0.3);
    expect(duplicateScore(endTime, endTime2)).toBeGreaterThan(0.85);
    expect(duplicateScore({ ...mac, cveId: 'CVE-2024-1' }, { ...endTime, cveId: 'CVE-2024-1' })).toBe(1);
  });
});

describe.each(testBackends())('submissions on %s', (backend) => {
  let d: Database;
  let svc: SubmissionService;
  const people: Record<string, Principal> = {};
  beforeAll(async () => {
    d = await freshDatabase(backend);
    const accounts = createAccountService({ db: d.db });
    for (const [name, role] of [
      ['analyst', 'analyst'],
      ['alice', 'reporter'],
      ['bob', 'reporter'],
    ] as const) {
      await accounts.createUser(CLI, { email: `${name}@vs.example`, displayName: name, password: PW, role });
      const s = await accounts.resolveSession(
        (await accounts.login({ email: `${name}@vs.example`, password: PW })).session,
      );
      if (!s) throw new Error('no session');
      people[name] = s.principal;
    }
    svc = createSubmissionService({ db: d.db, clock: () => new Date('2026-01-05T02:00:00Z') });
  });
  afterAll(async () => {
    await d.close();
  });
  const who = (n: string): Principal => {
    const p = people[n];
    if (!p) throw new Error(n);
    return p;
  };

  it('takes a report, scores its CVSS vector, reads the weakness from the title and gives a tracking number', async () => {
    const s = await svc.submit(who('alice'), dlink('EndTime'));
    expect(s.trackingNo).toMatch(/^S-20260105-[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(s).toMatchObject({
      state: 'submitted',
      cvss: { version: '3.1', score: 9.8, severity: 'high' },
      weakness: { cwe: 'CWE-119', nameZh: '缓冲区溢出' },
      next: [],
    });
    expect(s.timeline).toEqual([
      expect.objectContaining({ from: null, to: 'submitted', actor: 'alice@vs.example' }),
    ]);
  });

  it('refuses bad reports with every problem at once', async () => {
    await expect(
      svc.submit(who('alice'), {
        kind: 'event',
        title: ' ',
        description: 'x',
        originality: 'collected',
        cvssVector: 'CVSS:3.1/AV:N/AC:L',
        cveId: 'CVE-1',
      }),
    ).rejects.toThrow(
      /title must not be empty; an event .* names affectedOrganisation and affectedSystem .*; a report collected from a public source gives its sourceUrl .*; cveId "CVE-1" is not a CVE id; cvssVector: /,
    );
    await expect(svc.submit(ANONYMOUS, dlink('x'))).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('shows a reporter only their own submissions', async () => {
    const mine = await svc.submit(who('bob'), dlink('Mac'));
    expect((await svc.list(who('bob'))).map((s) => s.trackingNo)).toEqual([mine.trackingNo]);
    const alices = await svc.list(who('alice'));
    expect(alices.map((s) => s.trackingNo)).not.toContain(mine.trackingNo);
    await expect(svc.get(who('alice'), mine.trackingNo)).rejects.toMatchObject({ code: 'not_found' });
    expect((await svc.list(who('analyst'))).length).toBe(2);
  });

  it('walks the workflow: invalid steps refused, need-info answered by the reporter, verification assigns an id', async () => {
    const s = await svc.submit(who('alice'), dlink('StartTime'));
    await expect(svc.transition(who('analyst'), s.trackingNo, { to: 'verified' })).rejects.toMatchObject({
      code: 'invalid_transition',
      details: { from: 'submitted', allowed: ['triaged', 'duplicate', 'rejected', 'need_info'] },
    });
    await expect(svc.transition(who('alice'), s.trackingNo, { to: 'triaged' })).rejects.toMatchObject({
      code: 'invalid_transition',
    });
    await expect(svc.transition(who('analyst'), s.trackingNo, { to: 'need_info' })).rejects.toThrow(
      /needs note/,
    );
    await svc.transition(who('analyst'), s.trackingNo, { to: 'need_info', note: '请提供固件版本' });
    const answered = await svc.transition(who('alice'), s.trackingNo, {
      to: 'triaged',
      note: '固件 1.0.2B05',
    });
    expect(answered.state).toBe('triaged');
    await svc.transition(who('analyst'), s.trackingNo, { to: 'verifying' });
    await expect(svc.transition(who('analyst'), s.trackingNo, { to: 'verified' })).rejects.toThrow(
      /needs verification/,
    );
    const v = await svc.transition(who('analyst'), s.trackingNo, {
      to: 'verified',
      verification: {
        environment: 'DIR-823G 1.0.2B05 固件仿真',
        steps: '发送超长 StartTime',
        result: 'reproduced',
        verifier: '新华三技术有限公司',
      },
    });
    expect(v.vulnerabilityId).toBe('VS-2026-00001');
    expect(v.verifications).toHaveLength(1);
    // the reporter sees the steps, not who took them
    const seen = await svc.get(who('alice'), s.trackingNo);
    expect(seen.timeline.map((t) => `${t.actor}:${t.to}`)).toEqual([
      'alice@vs.example:submitted',
      'coordinator:need_info',
      'alice@vs.example:triaged',
      'coordinator:verifying',
      'coordinator:verified',
    ]);
    expect(seen.verifications).toEqual([]);
    const audit = await listAudit(d.db, CLI, { action: 'submission.verified' });
    expect(audit[0]).toMatchObject({
      actor: 'analyst@vs.example',
      targetId: s.trackingNo,
      detail: { id: 'VS-2026-00001' },
    });
  });

  it('ranks duplicate candidates for analysts and links a confirmed duplicate', async () => {
    const again = await svc.submit(
      who('bob'),
      dlink('EndTime', { title: 'D-Link DIR-823G 路由器 EndTime 参数存在缓冲区溢出' }),
    );
    const seen = await svc.get(who('analyst'), again.trackingNo);
    const first = (await svc.list(who('alice'))).find((s) => s.title.includes('EndTime'));
    expect(seen.duplicateCandidates?.[0]).toMatchObject({ id: first?.trackingNo, kind: 'submission' });
    // the Mac and StartTime siblings are not candidates
    expect(seen.duplicateCandidates?.map((c) => c.title).join()).not.toMatch(/Mac|StartTime/);
    await expect(svc.transition(who('analyst'), again.trackingNo, { to: 'duplicate' })).rejects.toThrow(
      /needs duplicateOf/,
    );
    // the earliest original report keeps the credit
    await expect(
      svc.transition(who('analyst'), first?.trackingNo ?? '', {
        to: 'duplicate',
        duplicateOf: again.trackingNo,
      }),
    ).rejects.toThrow(/came first and is original/);
    const dup = await svc.transition(who('analyst'), again.trackingNo, {
      to: 'duplicate',
      duplicateOf: first?.trackingNo ?? '',
    });
    expect(dup).toMatchObject({ state: 'duplicate', duplicateOf: first?.trackingNo });
  });

  it('allocates ids gap-free under concurrent verification, and a rolled-back allocation gives its number back', async () => {
    const n = 12;
    const subs = [];
    for (let i = 0; i < n; i++) {
      const s = await svc.submit(who('alice'), dlink(`P${i}`));
      await svc.transition(who('analyst'), s.trackingNo, { to: 'triaged' });
      await svc.transition(who('analyst'), s.trackingNo, { to: 'verifying' });
      subs.push(s.trackingNo);
    }
    const verification = {
      environment: 'lab',
      steps: 'steps',
      result: 'reproduced' as const,
      verifier: 'CNVD',
    };
    const done = await Promise.all(
      subs.map((t) => svc.transition(who('analyst'), t, { to: 'verified', verification })),
    );
    const numbers = done.map((v) => Number(v.vulnerabilityId?.slice(-5))).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: n }, (_, i) => i + 2));
    await expect(
      d.db.transaction().execute(async (tx) => {
        await store.nextNumber(tx, 'VS', 2026);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await d.db.transaction().execute(async (tx) => {
      expect(await store.nextNumber(tx, 'VS', 2026)).toBe(n + 2);
    });
  });

  it('keeps an unpublished report out of the public store, publishes it now or at the end of its embargo', async () => {
    const find = async (q: string) =>
      (await searchVulns(d.db, parseSearchParams({ q }))).items.map((i) => (i as { id: string }).id);
    const verify = async (param: string) => {
      const s = await svc.submit(
        who('alice'),
        dlink(param, { title: `D-Link DIR-823G ${param} 参数栈溢出公开测试漏洞` }),
      );
      await svc.transition(who('analyst'), s.trackingNo, { to: 'triaged' });
      await svc.transition(who('analyst'), s.trackingNo, { to: 'verifying' });
      return svc.transition(who('analyst'), s.trackingNo, {
        to: 'verified',
        verification: { environment: 'lab', steps: 's', result: 'reproduced', verifier: 'CNVD' },
      });
    };
    const a = await verify('PubNow');
    expect(await find('栈溢出公开测试')).toEqual([]);
    await expect(svc.transition(who('analyst'), a.trackingNo, { to: 'published' })).rejects.toThrow(
      /POST …\/publish/,
    );
    await expect(svc.publish(who('alice'), a.trackingNo)).rejects.toMatchObject({ code: 'forbidden' });
    const pub = await svc.publish(who('analyst'), a.trackingNo);
    expect(pub.state).toBe('published');
    const id = a.vulnerabilityId ?? '';
    expect(await find('栈溢出公开测试')).toEqual([id]);
    expect(await find(id)).toEqual([id]);
    const detail = await getVulnerability(d.db, id);
    expect(detail.vulnerability).toMatchObject({
      id,
      kind: 'general',
      score: 9.8,
      severity: 'high',
      vendors: ['D-Link'],
    });
    expect(detail.sources.map((x) => x.source)).toEqual(['vulnshare']);

    const b = await verify('PubLater');
    await expect(
      svc.publish(who('analyst'), b.trackingNo, { embargoUntil: '2026-01-06 09:00' }),
    ).rejects.toThrow(/with its zone/);
    const scheduled = await svc.publish(who('analyst'), b.trackingNo, {
      embargoUntil: '2026-01-06T09:00:00+08:00',
    });
    expect(scheduled).toMatchObject({
      state: 'verified',
      embargoUntil: '2026-01-06T01:00:00.000Z',
      publishedAt: null,
    });
    expect(await svc.publishDue()).toBe(0);
    const later = createSubmissionService({ db: d.db, clock: () => new Date('2026-01-06T01:00:01Z') });
    expect(await later.publishDue()).toBe(1);
    expect(await find(b.vulnerabilityId ?? 'x')).toEqual([b.vulnerabilityId]);
    const last = (await later.get(who('alice'), b.trackingNo)).timeline.at(-1);
    expect(last?.to).toBe('published');
    expect(last?.note).toMatch(/^embargo ended/);
  });

  it('stores attachments once per content, checking type and size', async () => {
    const s = await svc.submit(who('alice'), dlink('Attach'));
    const png = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(100, 1)]);
    const a = await svc.attach(who('alice'), s.trackingNo, {
      filename: 'shot.png',
      contentType: 'image/png',
      content: png,
    });
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    await svc.attach(who('alice'), s.trackingNo, {
      filename: 'same.png',
      contentType: 'image/png',
      content: png,
    });
    const blobs = await d.db.selectFrom('blobs').select('sha256').where('sha256', '=', a.sha256).execute();
    expect(blobs).toHaveLength(1);
    await expect(
      svc.attach(who('alice'), s.trackingNo, {
        filename: 'x.png',
        contentType: 'image/png',
        content: Buffer.from('GIF89a'),
      }),
    ).rejects.toThrow(/not image\/png/);
    await expect(
      svc.attach(who('alice'), s.trackingNo, {
        filename: 'x.exe',
        contentType: 'application/x-msdownload',
        content: Buffer.from('MZ'),
      }),
    ).rejects.toThrow(/not accepted/);
    await expect(
      svc.attach(who('bob'), s.trackingNo, {
        filename: 'x.txt',
        contentType: 'text/plain',
        content: Buffer.from('hi'),
      }),
    ).rejects.toMatchObject({ code: 'not_found' });
    const back = await svc.attachment(who('analyst'), s.trackingNo, a.sha256);
    expect(back.content.equals(png)).toBe(true);
  });
});
