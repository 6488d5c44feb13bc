/**
 * A CSAF provider to test against: the real app over a migrated database with a few published records, a
 * rejected one, a report still under embargo, and one signed-in account per role. Calls go through
 * `app.inject` (the provider's own URLs are mapped to their paths), so no port is needed.
 */
import type { FastifyInstance } from 'fastify';
import { CLI } from '../accounts/model.js';
import { createAccountService } from '../accounts/service.js';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { importItems } from '../imports/pipeline.js';
import { cnvdRecord, cveRecord, itemsOf } from './factories.js';

export const PROVIDER_ROLES = ['admin', 'analyst', 'reporter', 'recipient'] as const;
export type ProviderRole = (typeof PROVIDER_ROLES)[number];
const PW = 'correct horse battery staple';

export interface Answer {
  status: number;
  type: string;
  bytes: Buffer;
  text: string;
  location: string | undefined;
}

export interface TestProvider {
  app: FastifyInstance;
  /** GET a path or one of the provider's absolute URLs, as `who` (default anonymous). */
  get(pathOrUrl: string, who?: ProviderRole | 'anonymous'): Promise<Answer>;
  /** A JSON call with the session of `who` (CSRF included). */
  call(method: string, path: string, who: ProviderRole, body?: unknown): Promise<Answer>;
  /** The public ids imported as published records (CNVD-…), the rejected one and the embargoed report's. */
  published: string[];
  rejected: string;
  embargoed: { trackingNo: string; vulnerabilityId: string };
}

/** Import records, create one account per role, sign each in, and put a report under embargo. */
export async function startTestProvider(d: Database, o: { publicUrl?: string } = {}): Promise<TestProvider> {
  const published = ['CNVD-2023-00001', 'CNVD-2023-00002', 'CNVD-2022-00003'];
  await importItems(
    d,
    itemsOf([
      cnvdRecord('CNVD-2023-00001', { aliases: ['CVE-2023-0001'] }),
      cnvdRecord('CNVD-2023-00002'),
      cnvdRecord('CNVD-2022-00003', {
        dates: { submitted: '2022-03-01', collected: '2022-03-02', published: '2022-03-02' },
      }),
      cveRecord('CVE-2023-0009', { state: 'rejected' }),
    ]),
    { format: 'test', paths: [] },
  );
  const accounts = createAccountService({ db: d.db });
  const vendor = await accounts.createOrganisation(CLI, { kind: 'vendor', name: 'D-Link' });
  for (const role of PROVIDER_ROLES)
    await accounts.createUser(CLI, {
      email: `${role}@x.example`,
      displayName: role,
      password: PW,
      role,
      organisationId: role === 'recipient' ? vendor.id : null,
    });
  const app = await buildApp({
    database: d,
    config: {
      rateLimitPerMinute: 1_000_000,
      logLevel: 'silent',
      ...(o.publicUrl ? { publicUrl: o.publicUrl } : {}),
    },
  });
  const sessions = new Map<string, { cookie: string; csrf: string }>();
  const answer = (r: Awaited<ReturnType<FastifyInstance['inject']>>): Answer => ({
    status: r.statusCode,
    type: String(r.headers['content-type'] ?? ''),
    bytes: r.rawPayload,
    text: r.payload,
    location: typeof r.headers.location === 'string' ? r.headers.location : undefined,
  });
  for (const role of PROVIDER_ROLES) {
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: `${role}@x.example`, password: PW },
    });
    const setCookie = r.headers['set-cookie'];
    const first = Array.isArray(setCookie) ? setCookie[0] : setCookie;
    sessions.set(role, {
      cookie: (first ?? '').split(';')[0] ?? '',
      csrf: r.json<{ csrfToken: string }>().csrfToken,
    });
  }
  const headersOf = (who: string): Record<string, string> => {
    const s = sessions.get(who);
    return s ? { cookie: s.cookie, 'x-csrf-token': s.csrf } : {};
  };
  const get = async (pathOrUrl: string, who: ProviderRole | 'anonymous' = 'anonymous') => {
    const url = /^https?:/.test(pathOrUrl) ? new URL(pathOrUrl).pathname : pathOrUrl;
    return answer(await app.inject({ method: 'GET', url, headers: headersOf(who) }));
  };
  const call = async (method: string, path: string, who: ProviderRole, body?: unknown) =>
    answer(
      await app.inject({
        method: method as 'POST',
        url: path,
        headers: headersOf(who),
        ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
      }),
    );

  // a report verified and scheduled for publication next year: a record id, but nothing published yet
  const sub = await call('POST', '/api/v1/submissions', 'reporter', {
    kind: 'general',
    title: 'D-Link DIR-823G 参数缓冲区溢出漏洞',
    vendor: 'D-Link',
    product: 'DIR-823G',
    description: 'D-Link DIR-823G 的 goahead 参数存在缓冲区溢出',
    originality: 'original',
    cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  });
  if (sub.status !== 201) throw new Error(`submission: HTTP ${sub.status} ${sub.text}`);
  const { trackingNo } = JSON.parse(sub.text) as { trackingNo: string };
  for (const to of ['triaged', 'verifying'])
    await call('POST', `/api/v1/submissions/${trackingNo}/transitions`, 'analyst', { to });
  const verified = await call('POST', `/api/v1/submissions/${trackingNo}/transitions`, 'analyst', {
    to: 'verified',
    verification: { environment: 'lab', steps: 'replay', result: 'reproduced', verifier: 'CNVD' },
  });
  if (verified.status !== 200) throw new Error(`verify: HTTP ${verified.status} ${verified.text}`);
  const until = new Date(Date.now() + 365 * 86_400_000).toISOString();
  const scheduled = await call('POST', `/api/v1/submissions/${trackingNo}/publish`, 'analyst', {
    embargoUntil: until,
  });
  if (scheduled.status !== 200) throw new Error(`schedule: HTTP ${scheduled.status} ${scheduled.text}`);
  const { vulnerabilityId } = JSON.parse(scheduled.text) as { vulnerabilityId: string };

  return {
    app,
    get,
    call,
    published,
    rejected: 'CVE-2023-0009',
    embargoed: { trackingNo, vulnerabilityId },
  };
}
