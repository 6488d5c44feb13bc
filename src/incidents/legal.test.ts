/**
 * The legal fields of an incident, as the seed cases use them: the camera case names the contractor
 * responsible and the penalty (责令整改, 罚款) under the law cited (等级保护制度, 数据安全法第二十七条); the
 * signing-certificate case revokes certificates. Validation, the STIX export (validated by the OASIS schemas)
 * and its re-import, and the API on the real app.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../accounts/model.js';
import type { Database } from '../db/client.js';
import { buildApp } from '../http/app.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { cameraIncident, codeSigningIncident } from '../test-support/incidents.js';
import { validateIncidentInput, type Incident } from './model.js';
import { stixBundleValidator } from './stix-validate.js';
import { fromStixBundle, legalBasisText, toStixBundle } from './stix.js';
import { createAccountService } from '../accounts/service.js';

const NOW = () => new Date('2026-03-01T00:00:00Z');
type O = Record<string, unknown>;
const validate = stixBundleValidator();

const cameraLegal = {
  responsibleParties: [
    {
      name: '宁波某科技公司',
      role: 'contractor',
      description: '承建化工厂区安全智能管控平台，交付前未落实网络安全等级保护制度',
    },
  ],
  measures: [
    {
      kind: 'rectification_order',
      description: '责令改正，落实网络安全等级保护制度和数据安全管理制度',
      legalBasis: [{ law: 'mlps' }, { law: 'data_security_law', article: '第二十七条' }],
      against: '宁波某科技公司',
      authority: '宁波市网信办',
      decidedAt: '2025-01-15',
    },
    {
      kind: 'fine',
      description: '对承建单位处以罚款',
      legalBasis: [{ law: 'data_security_law', article: '第四十五条' }],
      against: '宁波某科技公司',
      authority: '宁波市网信办',
      amountCny: 100000,
    },
  ],
};
const SHA256 =
  'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';
const certificateLegal = {
  responsibleParties: [{ name: 'The engineer involved', role: 'individual' }],
  measures: [
    {
      kind: 'punishment',
      description: 'The engineer was punished by the national security organs according to law',
      legalBasis: [{ law: 'counter_espionage_law' }],
      authority: 'national security organs',
    },
    {
      kind: 'certificate_revocation',
      description: 'The signing certificates configured for the trojaned software were revoked',
      legalBasis: [{ law: 'other', text: '《中华人民共和国电子签名法》' }],
    },
  ],
  certificates: [
    {
      issuer: 'CN=Example Code Signing CA, O=Example Trust, C=CN',
      serialNumber: '0A:1B:2C:3D:4E:5F',
      subject: 'CN=Venom Software Test',
      thumbprintSha256: SHA256,
      revocation: 'revoked',
      revokedAt: '2023-11-28',
    },
    { issuer: 'CN=Another CA', serialNumber: '77ff', revocation: 'requested' },
  ],
};

function incident(raw: O): Incident {
  const input = validateIncidentInput(raw, NOW);
  return typeof raw.id === 'string' ? { id: raw.id, ...input } : input;
}
const objectsOf = (b: { objects: O[] }, type: string) => b.objects.filter((o) => o.type === type);

describe('the legal fields', () => {
  it('are read with their legal basis, thumbprints and serials normalised', () => {
    const c = incident(codeSigningIncident(certificateLegal));
    expect(c.certificates?.[0]).toMatchObject({
      serialNumber: '0a:1b:2c:3d:4e:5f',
      thumbprintSha256: SHA256.replace(/:/g, '').toLowerCase(),
      revocation: 'revoked',
    });
    const camera = incident(cameraIncident(cameraLegal));
    expect(camera.measures?.map((m) => legalBasisText(m))).toEqual([
      '网络安全等级保护制度；《中华人民共和国数据安全法》第二十七条',
      '《中华人民共和国数据安全法》第四十五条',
    ]);
  });

  it('report every problem with its field', () => {
    const bad = cameraIncident({
      responsibleParties: [{ name: 'x', role: 'bystander' }],
      measures: [{ kind: 'fine', description: 'a fine', legalBasis: [], amountCny: -5 }],
      certificates: [
        {
          issuer: 'CA',
          serialNumber: 'zz',
          thumbprintSha256: 'abc',
          revocation: 'valid',
          revokedAt: '2024-01-01',
        },
      ],
    });
    let problems: Array<{ field: string }> = [];
    try {
      validateIncidentInput(bad, NOW);
    } catch (e) {
      problems = (e as { details: { problems: Array<{ field: string }> } }).details.problems;
    }
    expect(problems.map((p) => p.field)).toEqual([
      'responsibleParties[0].role',
      'measures[0].legalBasis',
      'measures[0].amountCny',
      'certificates[0].serialNumber',
      'certificates[0].thumbprintSha256',
      'certificates[0].revocation',
      'certificates[0].revokedAt',
    ]);
  });
});

describe('the STIX export of the legal fields', () => {
  it.each([
    ['camera', cameraIncident(cameraLegal)],
    ['signing-certificate', codeSigningIncident(certificateLegal)],
  ])('of the %s case is valid against the OASIS schemas', (_, raw) => {
    expect(validate(toStixBundle(incident(raw)))).toEqual([]);
  });

  it('makes the contractor an identity and each measure a course of action related to the incident', () => {
    const b = toStixBundle(incident(cameraIncident(cameraLegal)));
    const contractor = objectsOf(b, 'identity').find((i) => i.name === '宁波某科技公司');
    expect(contractor).toMatchObject({ identity_class: 'organization' });
    const [order, fine] = objectsOf(b, 'course-of-action');
    expect(order?.name).toBe('责令整改 / Order to rectify');
    expect(order?.description).toContain('网络安全等级保护制度；《中华人民共和国数据安全法》第二十七条');
    expect(fine?.description).toContain('100000 CNY');
    const incidentId = objectsOf(b, 'incident')[0]?.id;
    const rel = objectsOf(b, 'relationship');
    expect(rel).toContainEqual(
      expect.objectContaining({
        source_ref: contractor?.id,
        target_ref: incidentId,
        relationship_type: 'related-to',
      }),
    );
    expect(rel.filter((r) => String(r.source_ref).startsWith('course-of-action--'))).toHaveLength(2);
  });

  it('makes each misused certificate an x509-certificate observable, its revocation on the relationship', () => {
    const b = toStixBundle(incident(codeSigningIncident(certificateLegal)));
    const [cert] = objectsOf(b, 'x509-certificate');
    expect(cert).toMatchObject({
      issuer: 'CN=Example Code Signing CA, O=Example Trust, C=CN',
      serial_number: '0a:1b:2c:3d:4e:5f',
      hashes: { 'SHA-256': SHA256.replace(/:/g, '').toLowerCase() },
    });
    expect(cert).not.toHaveProperty('created');
    const rel = objectsOf(b, 'relationship').find((r) => r.target_ref === cert?.id);
    expect(rel?.description).toBe('misused certificate; Revoked (已吊销) 2023-11-28');
  });

  it('fails the schema check when a certificate observable is broken (the check can fail)', () => {
    const b = toStixBundle(incident(codeSigningIncident(certificateLegal)));
    const [cert] = objectsOf(b, 'x509-certificate');
    if (cert) cert.id = 'x509-certificate-bad';
    expect(validate(b).some((p) => p.object.includes('x509-certificate-bad'))).toBe(true);
  });

  it('comes back unchanged when the bundle is imported', () => {
    const original = incident(codeSigningIncident(certificateLegal));
    const back = fromStixBundle(toStixBundle(original), NOW).incident;
    expect(back.responsibleParties).toEqual(original.responsibleParties);
    expect(back.measures).toEqual(original.measures);
    expect(back.certificates).toEqual(original.certificates);
  });
});

describe.each(testBackends())('the legal fields over the API on %s', (backend) => {
  let d: Database;
  let app: FastifyInstance;
  let base: string;
  let cookie = '';
  let csrf = '';

  beforeAll(async () => {
    d = await freshDatabase(backend);
    await createAccountService({ db: d.db }).createUser(CLI, {
      email: 'analyst@legal.example',
      displayName: 'analyst',
      password: 'correct horse battery staple',
      role: 'analyst',
      organisationId: null,
    });
    app = await buildApp({ database: d, config: { rateLimitPerMinute: 1_000_000, logLevel: 'silent' } });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    const r = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'analyst@legal.example', password: 'correct horse battery staple' }),
    });
    csrf = ((await r.json()) as { csrfToken: string }).csrfToken;
    cookie = (r.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  }, 60_000);
  afterAll(async () => {
    await app.close();
    await d.close();
  });

  it('records, returns and exports the camera case’s contractor and penalties', async () => {
    const headers = { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf };
    const { id: _id, ...raw } = cameraIncident(cameraLegal);
    void _id;
    const created = await fetch(`${base}/api/v1/incidents`, {
      method: 'POST',
      headers,
      body: JSON.stringify(raw),
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as O & { id: string };
    expect(body.responsibleParties).toEqual(cameraLegal.responsibleParties);
    expect(body.measures).toEqual(cameraLegal.measures);
    const got = (await (await fetch(`${base}/api/v1/incidents/${body.id}`, { headers })).json()) as O;
    expect(got.measures).toEqual(cameraLegal.measures);
    const stix = await fetch(`${base}/api/v1/incidents/${body.id}/stix`, { headers });
    expect(stix.status).toBe(200);
    const bundle = (await stix.json()) as { objects: O[] };
    expect(validate(bundle)).toEqual([]);
    expect(objectsOf(bundle, 'course-of-action')).toHaveLength(2);
  });
});
