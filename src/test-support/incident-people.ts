/** Test factories for incidents: the organisations and accounts that look at them, as principals. */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { CLI, type Principal, type Role } from '../accounts/model.js';
import { createAccountService } from '../accounts/service.js';

export const PASSWORD = 'correct horse battery staple';

export interface People {
  orgs: { victim: number; shared: number; unrelated: number };
  principals: Record<'admin' | 'analyst' | 'reporter' | 'victim' | 'shared' | 'unrelated', Principal>;
}

/**
 * A victim organisation, one an incident is shared with, an unrelated one; an admin, an analyst, a reporter
 * without organisation and a recipient account in each organisation.
 */
export async function people(db: Kysely<DB>, tag = ''): Promise<People> {
  const accounts = createAccountService({ db });
  const org = async (name: string) =>
    (await accounts.createOrganisation(CLI, { kind: 'member_unit', name: `${name}${tag}` })).id;
  const orgs = {
    victim: await org('Ningbo chemical plant'),
    shared: await org('Provincial energy CERT'),
    unrelated: await org('Unrelated bank'),
  };
  const user = async (name: string, role: Role, organisationId: number | null): Promise<Principal> => {
    const u = await accounts.createUser(CLI, {
      email: `${name}${tag}@incidents.example`,
      displayName: name,
      password: PASSWORD,
      role,
      organisationId,
    });
    return {
      kind: 'user',
      userId: u.id,
      email: u.email,
      role: u.role,
      organisationId: u.organisationId,
      via: 'session',
      scopes: null,
    };
  };
  return {
    orgs,
    principals: {
      admin: await user('admin', 'admin', null),
      analyst: await user('analyst', 'analyst', null),
      reporter: await user('reporter', 'reporter', null),
      victim: await user('victim', 'recipient', orgs.victim),
      shared: await user('shared', 'recipient', orgs.shared),
      unrelated: await user('unrelated', 'recipient', orgs.unrelated),
    },
  };
}
