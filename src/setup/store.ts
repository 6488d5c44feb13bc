/** SQL of the first run: the one-time setup links (only their SHA-256 is kept). */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

type Db = Kysely<DB>;

export const insertToken = (db: Db, tokenHash: string) =>
  db.insertInto('setup_tokens').values({ token_hash: tokenHash }).execute();

/** Whether a setup link was ever issued here (used or not): the platform is waiting for its first admin. */
export async function anyToken(db: Db): Promise<boolean> {
  const r = await db.selectFrom('setup_tokens').select('token_hash').limit(1).executeTakeFirst();
  return r !== undefined;
}

/** Take an unused link: true for the one caller that marks it used, false for every other. */
export async function consumeToken(db: Db, tokenHash: string, at: string): Promise<boolean> {
  const r = await db
    .updateTable('setup_tokens')
    .set({ used_at: at })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .returning('token_hash')
    .executeTakeFirst();
  return r !== undefined;
}

/** Give a link back when the admin it was taken for could not be created (a weak password). */
export const releaseToken = (db: Db, tokenHash: string) =>
  db.updateTable('setup_tokens').set({ used_at: null }).where('token_hash', '=', tokenHash).execute();

/** Once an admin exists every link is dead. */
export const deleteTokens = (db: Db) => db.deleteFrom('setup_tokens').execute();
