/** Passwords (argon2id) and opaque secrets (session ids, API tokens, CSRF tokens): stored only as hashes. */
import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane. */
const ARGON2 = { algorithm: 2 /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => hash(password, ARGON2);
export const verifyPassword = (phc: string, password: string): Promise<boolean> =>
  verify(phc, password).catch(() => false);

/** A hash of a valid password, verified against when the account does not exist (same time either way). */
let dummy: Promise<string> | null = null;
export const dummyHash = (): Promise<string> => (dummy ??= hashPassword('not-a-real-password-0000'));

export const randomSecret = (bytes = 32): string => randomBytes(bytes).toString('base64url');
export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export const API_TOKEN_PREFIX = 'vs_';
export const newApiToken = (): string => `${API_TOKEN_PREFIX}${randomSecret(32)}`;

export { PASSWORD_RULES, passwordProblem } from './password-rule.js';
