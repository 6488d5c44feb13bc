/** The password rule: long enough, not blank, not common or breached (zxcvbn), wherever a password is set. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { freshDatabase, testBackends } from '../test-support/db.js';
import { CLI } from './model.js';
import { PASSWORD_RULES, passwordProblem } from './secrets.js';
import { createAccountService, type AccountService } from './service.js';

describe('the password rule', () => {
  it.each([
    ['password1234', /common/i],
    ['qwertyuiop12', /common/i],
    ['            ', /blank/],
    ['\t\t\t\t\t\t\t\t\t\t\t\t', /blank/],
    ['short', /at least 12/],
  ])('refuses %j and says why', async (pw, why) => {
    const problem = await passwordProblem(pw);
    expect(problem).toMatch(why);
  });

  it('accepts a long passphrase', async () => {
    expect(await passwordProblem('correct horse battery staple')).toBeNull();
  });

  it('refuses a password made of the account’s own e-mail or name', async () => {
    expect(
      await passwordProblem('lin.shu.whitehat2024', { email: 'lin.shu.whitehat2024@example.org' }),
    ).toMatch(/guess/i);
  });
});

describe.each(testBackends())('the password rule wherever a password is set, on %s', (backend) => {
  let d: Database;
  let accounts: AccountService;
  beforeAll(async () => {
    d = await freshDatabase(backend);
    accounts = createAccountService({ db: d.db });
  });
  afterAll(async () => {
    await d.close();
  });

  it('refuses a common password at registration, naming the field and giving zxcvbn’s reason', async () => {
    await expect(
      accounts.register({ email: 'weak@example.org', displayName: 'Weak', password: 'password1234' }),
    ).rejects.toMatchObject({
      code: 'weak_password',
      message: expect.stringMatching(/^password is too easy to guess.*common/i) as unknown,
      details: {
        parameter: 'password',
        reason: 'weak_password',
        warning: expect.stringMatching(/common/i) as unknown,
      },
    });
  });

  it('refuses a blank password when an admin creates a user', async () => {
    await expect(
      accounts.createUser(CLI, {
        email: 'blank@vs.example',
        displayName: 'Blank',
        password: '            ',
        role: 'analyst',
      }),
    ).rejects.toMatchObject({
      code: 'weak_password',
      message: 'password must not be blank or only spaces',
      details: { parameter: 'password', reason: 'weak_password' },
    });
  });
});

describe('the password rule under hostile input', () => {
  it('judges a long password by its first 64 characters, so a 256-character one costs no more to check', async () => {
    // zxcvbn's cost grows fast with length (a 256-character repeat took 4 s of CPU); the rule caps what it reads
    expect(PASSWORD_RULES.estimateLength).toBe(64);
    // weak in its first 64 characters, strong only after them: refused, because the tail is not read
    expect(await passwordProblem(`${'a'.repeat(64)}Tea kettle orbit 7 lantern`)).not.toBeNull();
    // strong in its first 64, whatever follows: accepted
    expect(await passwordProblem(`Tea kettle orbit 7 lantern ${'ab1!'.repeat(57)}`)).toBeNull();
  });
});
