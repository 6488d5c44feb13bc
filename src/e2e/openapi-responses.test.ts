/**
 * Real responses conform to the OpenAPI document, on both backends: a small platform is seeded (users of every
 * role, organisations, a report from submission through notification, a published record, an incident, a
 * watchlist, a feed, a bulletin), then every GET operation of the document is called as a caller who may see
 * it, and its 200 body is validated against that operation's documented response schema — additional
 * properties only where the document allows them, so nothing undocumented reaches a caller.
 */
import { generateKeyPairSync } from 'node:crypto';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { importItems } from '../imports/pipeline.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { cnvdRecord, cveRecord, itemsOf } from '../test-support/factories.js';
import { supplyChainIncident } from '../test-support/incidents.js';
import { CLI } from '../accounts/model.js';
import { createAccountService } from '../accounts/service.js';
import { createOutboxWorker } from '../coordination/outbox.js';
import { completeConfig, createPlatform } from '../app/platform.js';
import { calendarDay, weekOf } from '../vulns/calendar.js';

const PW = 'correct horse battery staple';
const ROLES = ['admin', 'analyst', 'reporter', 'vendor'] as const;
type Who = (typeof ROLES)[number] | 'anonymous';

interface Operation {
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
}
interface Doc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas?: Record<string, object> };
}

/** Who calls which operation (default: the analyst, who may read nearly everything). */
const CALLER: Record<string, Who> = {
  listAudit: 'admin',
  listUsers: 'admin',
  listFeeds: 'admin',
  getFeed: 'admin',
  listInbox: 'vendor',
  getMyReporterStats: 'reporter',
  getHealth: 'anonymous',
  getByLink: 'anonymous',
  getPeerIdentity: 'admin',
  listPeers: 'admin',
  getPeerCasePolicy: 'admin',
  listIdBlocks: 'admin',
  listHeldIdBlocks: 'admin',
  myDrills: 'vendor',
  followTipoff: 'anonymous',
};
/**
 * GET operations this walk does not call, each with the reason and the test that checks its body instead.
 * The list is asserted: an operation cannot fall out of the walk unnoticed.
 */
const NOT_WALKED: Record<string, string> = {
  federationChanges: 'answers only a request signed by a known peer: src/peers/federation.test.ts',
};
/** Query strings some operations need. */
const QUERY: Record<string, string> = {
  getSubmission: '',
  getBulletin: '?format=json',
  getAttachment: '',
  getIncidentFigures: '?period=week&at=2024-W51',
  getMonthlyReport: '?format=json',
  getAnnualReport: '?format=json',
  getDrillReport: '?format=json',
};

describe.each(testBackends())('GET responses conform to the OpenAPI document on %s', (backend) => {
  let d: Database;
  let app: FastifyInstance;
  let doc: Doc;
  const sessions: Partial<Record<Who, { cookie: string; csrf: string }>> = {};
  const fill: Record<string, string> = {};

  const call = async (method: string, url: string, who: Who, body?: unknown) => {
    const s = sessions[who];
    const headers: Record<string, string> = {};
    if (s) {
      headers.cookie = s.cookie;
      headers['x-csrf-token'] = s.csrf;
    }
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    return r;
  };
  const post = async (url: string, who: Who, body: unknown) => {
    const r = await call('POST', url, who, body);
    expect(r.statusCode, `${url}: ${r.body}`).toBeLessThan(300);
    return r.json<Record<string, unknown>>();
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
    for (const role of ROLES)
      await accounts.createUser(CLI, {
        email: `${role}@x.example`,
        displayName: role,
        password: PW,
        role: role === 'vendor' ? 'recipient' : role,
        organisationId: role === 'vendor' ? vendor.id : null,
      });
    app = await buildApp({
      database: d,
      // a GCVE numbering authority, so its publication and dump answer
      config: { rateLimitPerMinute: 1_000_000, logLevel: 'silent', gcveGna: 7 },
    });
    await app.ready();
    for (const role of ROLES) {
      const r = await call('POST', '/api/v1/auth/login', 'anonymous', {
        email: `${role}@x.example`,
        password: PW,
      });
      sessions[role] = {
        cookie: r.headers['set-cookie']?.toString().split(';')[0] ?? '',
        csrf: r.json<{ csrfToken: string }>().csrfToken,
      };
    }
    doc = (await call('GET', '/api/openapi.json', 'anonymous')).json<Doc>();

    // a report through notification, with an attachment and a message
    const sub = await post('/api/v1/submissions', 'reporter', {
      kind: 'general',
      title: 'D-Link DIR-823G goform/SetWanSettings 参数缓冲区溢出漏洞',
      vendor: 'D-Link',
      product: 'DIR-823G',
      description: 'goform/SetWanSettings 参数存在缓冲区溢出',
      originality: 'original',
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    });
    const trackingNo = String(sub.trackingNo);
    const s = sessions.reporter;
    const att = await app.inject({
      method: 'POST',
      url: `/api/v1/submissions/${trackingNo}/attachments?filename=poc.txt`,
      headers: { cookie: s?.cookie ?? '', 'x-csrf-token': s?.csrf ?? '', 'content-type': 'text/plain' },
      payload: 'proof of concept',
    });
    for (const to of ['triaged', 'verifying'])
      await post(`/api/v1/submissions/${trackingNo}/transitions`, 'analyst', { to });
    await post(`/api/v1/submissions/${trackingNo}/transitions`, 'analyst', {
      to: 'verified',
      verification: {
        environment: 'lab',
        steps: 'send a long field',
        result: 'reproduced',
        verifier: 'CNVD',
      },
    });
    const n = await post(`/api/v1/submissions/${trackingNo}/notifications`, 'analyst', {
      recipients: [{ organisationId: vendor.id, category: 'vendor' }],
    });
    const notificationId = (n.notifications as Array<{ id: number }>)[0]?.id ?? 0;
    await createOutboxWorker({ db: d.db, mailer: null }).runOnce();
    const row = await d.db
      .selectFrom('outbox')
      .select('body')
      .where('notification_id', '=', notificationId)
      .executeTakeFirstOrThrow();
    await post(`/api/v1/submissions/${trackingNo}/messages`, 'analyst', {
      body: 'please confirm the firmware version',
      audience: 'reporter',
    });
    // a second report, published
    const pub = await post('/api/v1/submissions', 'reporter', {
      kind: 'general',
      title: 'Tenda AC15 formSetFirewallCfg 缓冲区溢出漏洞',
      vendor: 'Tenda',
      product: 'AC15',
      description: 'formSetFirewallCfg 存在缓冲区溢出',
      originality: 'original',
      cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    });
    const published = String(pub.trackingNo);
    for (const to of ['triaged', 'verifying'])
      await post(`/api/v1/submissions/${published}/transitions`, 'analyst', { to });
    await post(`/api/v1/submissions/${published}/transitions`, 'analyst', {
      to: 'verified',
      verification: { environment: 'lab', steps: 'overflow', result: 'reproduced', verifier: 'CNVD' },
    });
    await post(`/api/v1/submissions/${published}/publish`, 'analyst', {});
    // a published advisory of two records (advisories: list, one, its CSAF document)
    const advisory = await post('/api/v1/advisories', 'analyst', {
      titleZh: '漏洞通报',
      vulnerabilityIds: ['CNVD-2023-10001', 'CVE-2024-21762'],
    });
    await post(`/api/v1/advisories/${String(advisory.id)}/publish`, 'analyst', {});

    const incident = supplyChainIncident();
    delete incident.id;
    const inc = await post('/api/v1/incidents', 'analyst', { ...incident, tlp: 'clear' });
    const wl = await post('/api/v1/watchlists', 'vendor', {
      name: 'routers',
      delivery: 'immediate',
      items: [{ kind: 'product', vendor: 'D-Link', product: 'DIR-823G' }],
    });
    await post('/api/v1/feeds', 'admin', {
      name: 'kev',
      format: 'kev',
      url: 'https://feeds.example/kev.json',
    });
    // a peer instance (its case policy and id blocks are read by admins)
    const { publicKey } = generateKeyPairSync('ed25519');
    await post('/api/v1/peers', 'admin', {
      name: 'sector-a',
      url: 'https://ics.example.org',
      key: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    // an alliance member (imported as the annual report lists them)
    const platform = createPlatform(d, completeConfig({ logLevel: 'silent' }));
    await platform.alliance.importMembers(CLI, '测试联盟成员单位 CCTGA-000123\n', { joinedOn: '2024-01-15' });
    await platform.close();
    // a public tip-off, followed by its receipt
    const tip = await call('POST', '/api/v1/tipoffs', 'anonymous', {
      kind: 'incident',
      title: '某单位网站被植入暗链',
      affectedOrganisation: '某市自来水公司',
      affectedSystem: 'https://water.example.gov.cn',
      description: '首页源码中出现博彩暗链',
    });
    expect(tip.statusCode, tip.body).toBe(201);
    const tipoff = tip.json<{ receipt: string; trackingNo: string }>();
    // an exercise with the vendor taking part
    const drill = await post('/api/v1/drills', 'analyst', {
      title: 'APCERT drill',
      scenario: { zh: '勒索软件', en: 'Ransomware' },
      participantIds: [vendor.id],
      injects: [
        {
          dueAt: new Date(Date.now() + 3_600_000).toISOString(),
          channels: ['inbox'],
          subject: 'Inject 1',
          body: 'A ransom note was found',
          expected: [{ key: 'ack', description: 'acknowledge', withinMinutes: 30 }],
        },
      ],
    });
    Object.assign(fill, {
      trackingNo,
      tipoffTrackingNo: tipoff.trackingNo,
      receipt: tipoff.receipt,
      certificate: 'CCTGA-000123',
      drill: String(drill.id),
      file: 'gna-7.ndjson',
      sha256: att.json<{ sha256: string }>().sha256,
      token: String(row.body.link).replace(/^.*\/respond\//, ''),
      week: weekOf(calendarDay(new Date().toISOString())).id,
      notification: String(notificationId),
      incident: String(inc.id),
      watchlist: String(wl.id),
      name: 'kev',
      vulnerability: 'CNVD-2023-10001',
      advisory: String(advisory.id),
    });
  }, 120_000);
  afterAll(async () => {
    await app.close();
    await d.close();
  });

  function pathFor(p: string): string {
    return p.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (p.endsWith('/tipoff')) return fill.tipoffTrackingNo ?? '';
      if (p.startsWith('/api/v1/peers/') && name === 'name') return 'sector-a';
      if (name !== 'id') return fill[name] ?? '';
      if (p.startsWith('/api/v1/bulletins')) return fill.week ?? '';
      if (p.endsWith('/cve5')) return 'CVE-2024-21762';
      if (p.startsWith('/api/v1/vulnerabilities')) return fill.vulnerability ?? '';
      if (p.startsWith('/api/v1/notifications')) return fill.notification ?? '';
      if (p.startsWith('/api/v1/incidents')) return fill.incident ?? '';
      if (p.startsWith('/api/v1/watchlists')) return fill.watchlist ?? '';
      if (p.startsWith('/api/v1/advisories')) return fill.advisory ?? '';
      if (p.startsWith('/api/v1/reports/monthly')) return '2024-01';
      if (p.startsWith('/api/v1/reports/annual')) return '2024';
      if (p.startsWith('/api/v1/drills')) return fill.drill ?? '';
      return '1';
    });
  }

  function validator(): (schema: object) => ValidateFunction {
    const ajv = new Ajv({ strict: false, allErrors: true });
    (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
    ajv.addSchema({ $id: 'doc', components: doc.components }, 'doc');
    return (schema) =>
      ajv.compile(
        JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/')) as object,
      );
  }

  it('documents a 200 body for every GET operation and the real bodies match it', async () => {
    const compile = validator();
    const problems: string[] = [];
    const skipped: string[] = [];
    let checked = 0;
    for (const [p, ops] of Object.entries(doc.paths)) {
      const op = ops.get;
      if (!op) continue;
      if (op.operationId in NOT_WALKED) {
        skipped.push(op.operationId);
        continue;
      }
      const content = op.responses['200']?.content ?? {};
      const media = Object.values(content)[0];
      if (!media?.schema) {
        problems.push(`${op.operationId}: no documented 200 body`);
        continue;
      }
      const who = CALLER[op.operationId] ?? 'analyst';
      const url = pathFor(p) + (QUERY[op.operationId] ?? '');
      const r = await call('GET', url, who);
      if (r.statusCode !== 200) {
        problems.push(`${op.operationId} GET ${url} as ${who} → ${r.statusCode} ${r.body.slice(0, 200)}`);
        continue;
      }
      const got = String(r.headers['content-type'] ?? '').split(';')[0] ?? '';
      const type = Object.keys(content).find((t) => t.split(';')[0] === got);
      const schema = type ? content[type]?.schema : undefined;
      if (!type || !schema) {
        problems.push(
          `${op.operationId}: content-type ${got}, documented ${Object.keys(content).join(', ')}`,
        );
        continue;
      }
      checked++;
      // JSON bodies are validated; text, CSV, XML, PDF and NDJSON (one document a line) are checked by type
      if (!got.endsWith('json') || got.endsWith('ndjson')) continue;
      const validate = compile(schema);
      if (!validate(r.json()))
        problems.push(
          `${op.operationId}: ${(validate.errors ?? [])
            .slice(0, 5)
            .map((e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
            .join('; ')}`,
        );
    }
    expect(problems).toEqual([]);
    expect(skipped.sort()).toEqual(Object.keys(NOT_WALKED).sort());
    expect(checked).toBeGreaterThan(30);
  }, 120_000);
});
