/**
 * The first run. `vulnshare serve` on a database without an admin issues a one-time setup link (a random
 * token, kept as its SHA-256); the setup page creates the first admin with it, under the usual password rules.
 * From the moment a link is issued until an admin exists the platform is waiting for its setup: every
 * mutating request except the setup itself is refused with `setup_required` (src/setup/routes.ts), reads of
 * the empty portal still work. Once an admin exists — made here, or by `vulnshare admin create` — every link
 * is dead and the check costs nothing more. An operator who makes accounts with the command line (which only
 * someone on the machine can) has set the platform up by hand: the gate opens then too, while the link still
 * works for the first admin.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import { CLI } from '../accounts/model.js';
import { randomSecret, sha256 } from '../accounts/secrets.js';
import type { AccountService, UserView } from '../accounts/service.js';
import * as store from './store.js';

export interface SetupStatus {
  /** No admin exists and a setup link was issued: only the setup is writable. */
  setupRequired: boolean;
  adminExists: boolean;
}

export function createSetupService(deps: {
  db: Kysely<DB>;
  accounts: Pick<AccountService, 'createUser' | 'countAdmins' | 'listUsers'>;
  clock?: () => Date;
}) {
  const { db, accounts } = deps;
  const clock = deps.clock ?? (() => new Date());
  /** An admin exists: once true it stays true (the platform never goes back to its first run). */
  let adminSeen = false;
  /** Some account exists (while the gate is shut only the operator's command line can make one). */
  let accountSeen = false;

  async function adminExists(): Promise<boolean> {
    if (!adminSeen) adminSeen = (await accounts.countAdmins()) > 0;
    return adminSeen;
  }

  async function status(): Promise<SetupStatus> {
    const admin = await adminExists();
    if (!admin && !accountSeen) accountSeen = (await accounts.listUsers(CLI, { limit: 1 })).length > 0;
    return { adminExists: admin, setupRequired: !admin && !accountSeen && (await store.anyToken(db)) };
  }

  /** Whether mutating requests wait for the setup (the gate asks this on every unsafe request until an admin exists). */
  async function required(): Promise<boolean> {
    return (await status()).setupRequired;
  }

  /** A new one-time setup token, or null when an admin exists (nothing to set up). */
  async function issueLink(): Promise<string | null> {
    if (await adminExists()) return null;
    const token = randomSecret(32);
    await store.insertToken(db, sha256(token));
    return token;
  }

  /** Create the first admin with a setup token; the token is dead afterwards, and so is every other. */
  async function complete(input: {
    token: string;
    email: string;
    displayName: string;
    password: string;
  }): Promise<UserView> {
    const dead = () =>
      new AppError('setup_link_invalid', 'This setup link is not valid: used already, or an admin exists');
    if (await adminExists()) throw dead();
    const hash = sha256(input.token);
    if (!(await store.consumeToken(db, hash, clock().toISOString()))) throw dead();
    let admin: UserView;
    try {
      admin = await accounts.createUser(CLI, {
        email: input.email.trim(),
        displayName: input.displayName,
        password: input.password,
        role: 'admin',
      });
    } catch (e) {
      await store.releaseToken(db, hash); // a weak password does not cost the link
      throw e;
    }
    adminSeen = true;
    await store.deleteTokens(db);
    return admin;
  }

  return { status, required, issueLink, complete };
}

export type SetupService = ReturnType<typeof createSetupService>;

/**
 * The link `serve` prints: on the public URL, or on the address it listens on when the public URL names no
 * usable port (`--port 0`, a port the system chose).
 */
export function setupLink(publicUrl: string, listening: string, token: string): string {
  const base = /:0$/.test(publicUrl) ? listening : publicUrl;
  return `${base.replace(/\/+$/, '')}/setup?token=${encodeURIComponent(token)}`;
}
