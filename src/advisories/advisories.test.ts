/**
 * Platform advisories through the real API on both backends: records imported and a report walked from
 * submission through a vendor's fix to publication, then an analyst's advisory of three records published,
 * revised and exported as CSAF 2.0 (validated with csaf-validator-lib: the strict schema and every mandatory
 * test), an embargoed report refused, and who may do what.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import { createAccountService } from '../accounts/service.js';
import { describeProblem, validateCsaf } from '../csaf/validate.js';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { importItems } from '../imports/pipeline.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { cnvdRecord, cveRecord, itemsOf } from '../test-support/factories.js';

const PW = 'correct horse battery staple';
const WHO = ['analyst', 'reporter', 'vendor'] as const;
type Who = (typeof WHO)[number] | 'anonymous';

interface View {
  id: number;
  publicId: string | null;
  status: string;
  vulnerabilityIds: string[];
  revisions: Array<{ number: number; summary: string | null }>;
  pendingChanges: boolean;
}
interface Doc {
  document: {
    category: string;
    lang: string;
    title: string;
    distribution: { tlp: { label: string } };
    tracking: { id: string; version: string; revision_history: Array<{ number: string; summary: string }> };
  };
  product_tree: { branches?: Array<{ name: string; branches?: unknown[] }> };
  vulnerabilities: Array<{
    product_status: Record<string, string[]>;
    remediations?: Array<{ url?: string }>;
  }>;
}

/** Every product id the tree defines, with its name. */
function productsOf(tree: unknown): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  JSON.stringify(tree, (_k, x: unknown) => {
    const p = x as { product_id?: string; name?: string } | null;
    if (p && typeof p === 'object' && typeof p.product_id === 'string' && p.name)
      out.push([p.product_id, p.name]);
    return x;
  });
  return out;
}

describe.each(testBackends())('platform advisories on %s', (backend) => {
  let d: Database;
  let app: FastifyInstance;
  const sessions: Partial<Record<Who, { cookie: string; csrf: string }>> = {};
  let vsPublished = '';
  let vsEmbargoed = '';

  const call = async (method: string, url: string, who: Who, body?: unknown) => {
    const s = sessions[who];
    const headers: Record<string, string> = {};
    if (s) Object.assign(headers, { cookie: s.cookie, 'x-csrf-token': s.csrf });
    if (body !== undefined) headers['content-type'] = 'application/json';
    return app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
  };
  const ok = async <T = Record<string, unknown>>(method: string, url: string, who: Who, body?: unknown) => {
    const r = await call(method, url, who, body);
    expect(r.statusCode, `${method} ${url}: ${r.body}`).toBeLessThan(300);
    return r.json<T>();
  };
  /** A report of the reporter, verified by the analyst; its public id (VS-…) and tracking number. */
  const verifiedReport = async (title: string, vendor: string, product: string) => {
    const sub = await ok('POST', '/api/v1/submissions', 'reporter', {
      kind: 'general',
      title,
      vendor,
      product,
      description: `${title}：攻击者可远程执行代码`,
      originality: 'original',
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    });
    const trackingNo = String(sub.trackingNo);
    for (const to of ['triaged', 'verifying'])
      await ok('POST', `/api/v1/submissions/${trackingNo}/transitions`, 'analyst', { to });
    const v = await ok('POST', `/api/v1/submissions/${trackingNo}/transitions`, 'analyst', {
      to: 'verified',
      verification: { environment: 'lab', steps: 'overflow', result: 'reproduced', verifier: 'CNVD' },
    });
    return { trackingNo, publicId: String(v.vulnerabilityId) };
  };

  beforeAll(async () => {
    d = await freshDatabase(backend);
    await importItems(d, itemsOf([cnvdRecord('CNVD-2023-10001'), cveRecord('CVE-2024-21762')]), {
      format: 'test',
      paths: [],
    });
    const accounts = createAccountService({ db: d.db });
    const vendor = await accounts.createOrganisation(CLI, { kind: 'vendor', name: 'D-Link' });
    await accounts.addContact(CLI, vendor.id, { name: 'PSIRT', email: 'psirt@dlink.example', portal: true });
    for (const role of WHO)
      await accounts.createUser(CLI, {
        email: `${role}@x.example`,
        displayName: role,
        password: PW,
        role: role === 'vendor' ? 'recipient' : role,
        organisationId: role === 'vendor' ? vendor.id : null,
      });
    app = await buildApp({ database: d, config: { rateLimitPerMinute: 1_000_000, logLevel: 'silent' } });
    await app.ready();
    for (const role of WHO) {
      const r = await call('POST', '/api/v1/auth/login', 'anonymous', {
        email: `${role}@x.example`,
        password: PW,
      });
      sessions[role] = {
        cookie: r.headers['set-cookie']?.toString().split(';')[0] ?? '',
        csrf: r.json<{ csrfToken: string }>().csrfToken,
      };
    }

    // a report the vendor fixed, then published: its record carries a vendor status
    const fixed = await verifiedReport(
      'D-Link DIR-823G goform/SetWanSettings 缓冲区溢出漏洞',
      'D-Link',
      'DIR-823G',
    );
    const n = await ok<{ notifications: Array<{ id: number }> }>(
      'POST',
      `/api/v1/submissions/${fixed.trackingNo}/notifications`,
      'analyst',
      { recipients: [{ organisationId: vendor.id, category: 'vendor' }] },
    );
    await ok('POST', `/api/v1/notifications/${n.notifications[0]?.id ?? 0}/actions`, 'vendor', {
      action: 'fix',
      fixUrl: 'https://support.dlink.example/SAP10001',
    });
    await ok('POST', `/api/v1/submissions/${fixed.trackingNo}/publish`, 'analyst', {});
    vsPublished = fixed.publicId;

    // a report scheduled for publication at the end of an embargo a year from now
    const embargoed = await verifiedReport('Tenda AC15 formSetFirewallCfg 缓冲区溢出漏洞', 'Tenda', 'AC15');
    await ok('POST', `/api/v1/submissions/${embargoed.trackingNo}/publish`, 'analyst', {
      embargoUntil: new Date(Date.now() + 365 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    });
    vsEmbargoed = embargoed.publicId;
  }, 120_000);
  afterAll(async () => {
    await app.close();
    await d.close();
  });

  it('publishes an advisory of three records as one CSAF VEX document valid in zh and en', async () => {
    expect(vsPublished).toMatch(/^VS-/);
    const draft = await ok<View>('POST', '/api/v1/advisories', 'analyst', {
      titleZh: '路由器缓冲区溢出漏洞通报',
      titleEn: 'Router buffer overflows',
      summaryZh: '三款路由器存在缓冲区溢出漏洞。',
      vulnerabilityIds: ['cnvd-2023-10001', 'CVE-2024-21762', vsPublished],
    });
    expect(draft).toMatchObject({ status: 'draft', publicId: null, pendingChanges: false });
    expect(draft.vulnerabilityIds).toEqual(['CNVD-2023-10001', 'CVE-2024-21762', vsPublished]);
    expect((await call('GET', `/api/v1/advisories/${draft.id}/csaf`, 'analyst')).statusCode).toBe(409);

    const pub = await ok<View>('POST', `/api/v1/advisories/${draft.id}/publish`, 'analyst', {});
    expect(pub.status).toBe('published');
    expect(pub.publicId).toMatch(new RegExp(`^VS-SA-${new Date().getUTCFullYear()}-0001$`));

    for (const lang of ['zh', 'en'] as const) {
      const doc = await ok<Doc>(
        'GET',
        `/api/v1/advisories/${pub.publicId ?? ''}/csaf?lang=${lang}`,
        'anonymous',
      );
      expect((await validateCsaf(doc, { strict: true })).errors.map(describeProblem)).toEqual([]);
      expect(doc.document).toMatchObject({
        category: 'csaf_vex',
        lang,
        title: lang === 'zh' ? '路由器缓冲区溢出漏洞通报' : 'Router buffer overflows',
        distribution: { tlp: { label: 'WHITE' } },
        tracking: { id: pub.publicId, version: '1' },
      });
      expect(doc.vulnerabilities).toHaveLength(3);
      // one product tree: Tenda's AC18 of the CNVD and the CVE record under one vendor, ids defined once
      const products = productsOf(doc.product_tree);
      const ids = products.map(([id]) => id);
      expect(new Set(ids).size).toBe(ids.length);
      expect((doc.product_tree.branches ?? []).map((b) => b.name).sort()).toEqual(['D-Link', 'Tenda']);
      // the fixed report: reported product known_affected with the vendor's link, the fixed product fixed
      const vex = doc.vulnerabilities[2];
      const name = (id: string) => products.find(([p]) => p === id)?.[1];
      expect((vex?.product_status.known_affected ?? []).map(name)).toEqual(['D-Link DIR-823G']);
      expect((vex?.product_status.fixed ?? []).map(name)).toEqual([
        `D-Link DIR-823G (${lang === 'zh' ? '已安装厂商补丁' : 'with the vendor fix'}) (${vsPublished})`,
      ]);
      expect(vex?.remediations?.[0]?.url).toBe('https://support.dlink.example/SAP10001');
      // the imported records have no vendor statuses: their products stay known_affected
      expect(Object.keys(doc.vulnerabilities[0]?.product_status ?? {})).toEqual(['known_affected']);
    }
  });

  it('publishes a change as the next revision: tracking version and revision history grow', async () => {
    const a = await ok<View>('POST', '/api/v1/advisories', 'analyst', {
      titleEn: 'Tenda AC18',
      tlp: 'GREEN',
      vulnerabilityIds: ['CNVD-2023-10001'],
    });
    const first = await ok<View>('POST', `/api/v1/advisories/${a.id}/publish`, 'analyst', {});
    const again = await call('POST', `/api/v1/advisories/${a.id}/publish`, 'analyst', {});
    expect(again.statusCode).toBe(409); // nothing changed
    const edited = await ok<View>('PATCH', `/api/v1/advisories/${a.id}`, 'analyst', {
      titleEn: 'Tenda AC18 overflows',
    });
    expect(edited.pendingChanges).toBe(true);
    await ok('POST', `/api/v1/advisories/${a.id}/vulnerabilities`, 'analyst', { ids: ['CVE-2024-21762'] });
    // until published again, the document is what revision 1 published
    const before = await ok<Doc>('GET', `/api/v1/advisories/${a.id}/csaf?lang=en`, 'analyst');
    expect(before.document.title).toBe('Tenda AC18');
    expect(before.vulnerabilities).toHaveLength(1);

    const second = await ok<View>('POST', `/api/v1/advisories/${first.publicId ?? ''}/publish`, 'analyst', {
      summary: 'CVE-2024-21762 added',
    });
    expect(second.publicId).toBe(first.publicId);
    expect(second.revisions.map((r) => r.number)).toEqual([1, 2]);
    expect(second.pendingChanges).toBe(false);
    const doc = await ok<Doc>('GET', `/api/v1/advisories/${a.id}/csaf?lang=en`, 'analyst');
    expect((await validateCsaf(doc, { strict: true })).errors.map(describeProblem)).toEqual([]);
    expect(doc.document.tracking.version).toBe('2');
    expect(doc.document.tracking.revision_history.map((r) => [r.number, r.summary])).toEqual([
      ['1', 'Initial version'],
      ['2', 'CVE-2024-21762 added'],
    ]);
    expect(doc.document.title).toBe('Tenda AC18 overflows');
    expect(doc.document.distribution.tlp.label).toBe('GREEN');
    expect(doc.vulnerabilities).toHaveLength(2);
    // TLP:GREEN: signed-in callers only
    expect((await call('GET', `/api/v1/advisories/${a.id}/csaf`, 'anonymous')).statusCode).toBe(401);
    expect((await call('GET', `/api/v1/advisories/${a.id}/csaf`, 'reporter')).statusCode).toBe(200);
  });

  it('refuses to publish an advisory with a report under embargo, or with a record not published', async () => {
    expect(vsEmbargoed).toMatch(/^VS-/);
    const a = await ok<View>('POST', '/api/v1/advisories', 'analyst', {
      titleZh: '禁发期内的报告',
      vulnerabilityIds: ['CNVD-2023-10001', vsEmbargoed],
    });
    expect(a.vulnerabilityIds).toEqual(['CNVD-2023-10001', vsEmbargoed]); // a draft may be prepared meanwhile
    const r = await call('POST', `/api/v1/advisories/${a.id}/publish`, 'analyst', {});
    expect(r.statusCode).toBe(409);
    const e = r.json<{
      error: { code: string; message: string; details: { problems: Array<{ id: string; reason: string }> } };
    }>();
    expect(e.error.code).toBe('embargoed');
    expect(e.error.details.problems).toMatchObject([{ id: vsEmbargoed, reason: 'embargoed' }]);
    expect(e.error.message).toContain('under embargo until');
    expect((await ok<View>('GET', `/api/v1/advisories/${a.id}`, 'analyst')).status).toBe('draft');

    // without the embargoed report it publishes
    await ok('DELETE', `/api/v1/advisories/${a.id}/vulnerabilities/${vsEmbargoed}`, 'analyst');
    expect((await ok<View>('POST', `/api/v1/advisories/${a.id}/publish`, 'analyst', {})).status).toBe(
      'published',
    );
    // unknown ids are not added
    expect(
      (
        await call('POST', `/api/v1/advisories/${a.id}/vulnerabilities`, 'analyst', {
          ids: ['CVE-1999-0001'],
        })
      ).statusCode,
    ).toBe(404);
  });

  it('lets only analysts write and publish: reporters and recipients get 403, anonymous callers 401', async () => {
    const a = await ok<View>('POST', '/api/v1/advisories', 'analyst', {
      titleEn: 'draft',
      vulnerabilityIds: ['CNVD-2023-10001'],
    });
    for (const who of ['reporter', 'vendor'] as const) {
      expect((await call('POST', '/api/v1/advisories', who, { titleEn: 'x' })).statusCode).toBe(403);
      expect((await call('PATCH', `/api/v1/advisories/${a.id}`, who, { titleEn: 'x' })).statusCode).toBe(403);
      expect((await call('POST', `/api/v1/advisories/${a.id}/publish`, who, {})).statusCode).toBe(403);
      expect(
        (await call('POST', `/api/v1/advisories/${a.id}/vulnerabilities`, who, { ids: ['CVE-2024-21762'] }))
          .statusCode,
      ).toBe(403);
      expect((await call('GET', `/api/v1/advisories/${a.id}`, who)).statusCode).toBe(403); // a draft
      const list = await ok<{ items: View[] }>('GET', '/api/v1/advisories', who);
      expect(list.items.every((x) => x.status === 'published')).toBe(true);
    }
    expect((await call('POST', '/api/v1/advisories', 'anonymous', { titleEn: 'x' })).statusCode).toBe(401);
    const white = await ok<View>('POST', '/api/v1/advisories', 'analyst', {
      titleEn: 'public',
      vulnerabilityIds: ['CVE-2024-21762'],
    });
    await ok('POST', `/api/v1/advisories/${white.id}/publish`, 'analyst', {});
    const anon = await ok<{ items: View[] }>('GET', '/api/v1/advisories', 'anonymous');
    expect(anon.items.length).toBeGreaterThan(0);
    expect(anon.items.every((x) => x.status === 'published')).toBe(true);
    const staff = await ok<{ items: View[] }>('GET', '/api/v1/advisories?status=draft', 'analyst');
    expect(staff.items.map((x) => x.id)).toContain(a.id);
    expect((await ok<View>('GET', `/api/v1/advisories/${a.id}`, 'analyst')).status).toBe('draft');
  });
});
