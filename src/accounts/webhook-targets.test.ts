/** A contact's webhook URL may not point inside the platform's network unless an admin allows it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { parseInternalAllowance } from '../outbound/targets.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { CLI } from './model.js';
import { createAccountService } from './service.js';

describe.each(testBackends())('contact webhook URLs on %s', (backend) => {
  let d: Database;
  let orgId = 0;
  beforeAll(async () => {
    d = await freshDatabase(backend);
    orgId = (
      await createAccountService({ db: d.db }).createOrganisation(CLI, { kind: 'vendor', name: 'D-Link' })
    ).id;
  });
  afterAll(async () => {
    await d.close();
  });

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://10.0.0.1/hook',
    'http://[::1]/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://localhost/hook',
    'http://[::ffff:192.168.0.1]/hook',
  ])('refuses a webhook at %s without the allowance, naming webhookUrl', async (webhookUrl) => {
    const adding = createAccountService({ db: d.db }).addContact(CLI, orgId, { name: 'PSIRT', webhookUrl });
    await expect(adding).rejects.toMatchObject({ code: 'invalid_parameter' });
    await expect(adding).rejects.toThrow(
      /^webhookUrl points at an internal host: .*VULNSHARE_ALLOW_INTERNAL_TARGETS/,
    );
    expect(await d.db.selectFrom('contacts').select('id').execute()).toEqual([]);
  });

  it('accepts an internal webhook the allowance admits, and public ones', async () => {
    const accounts = createAccountService({
      db: d.db,
      internalTargets: parseInternalAllowance('10.0.0.0/8').allowance,
    });
    const r = await accounts.addContact(CLI, orgId, { name: 'SOC', webhookUrl: 'http://10.1.2.3/hook' });
    expect(r.contact.webhookUrl).toBe('http://10.1.2.3/hook');
    await expect(
      accounts.addContact(CLI, orgId, { name: 'SOC', webhookUrl: 'http://192.168.1.1/hook' }),
    ).rejects.toMatchObject({ code: 'invalid_parameter' });
    const pub = await accounts.addContact(CLI, orgId, {
      name: 'PSIRT',
      webhookUrl: 'https://hooks.example.org/x',
    });
    expect(pub.webhookSecret).toBeTruthy();
  });
});
