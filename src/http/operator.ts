/**
 * Operator access over the API until accounts and roles exist (the pipeline capability replaces this with the
 * analyst role): a bearer token from VULNSHARE_ADMIN_TOKEN, compared in constant time. Unset = nobody.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function isOperator(req: FastifyRequest, token: string | undefined): boolean {
  if (!token) return false;
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return !!m?.[1] && timingSafeEqual(digest(m[1].trim()), digest(token));
}

export function requireOperator(req: FastifyRequest, token: string | undefined, action: string): void {
  if (isOperator(req, token)) return;
  if (!token)
    throw new AppError(
      'forbidden',
      `${action} needs an operator; set VULNSHARE_ADMIN_TOKEN on the server to enable it`,
    );
  if (!req.headers.authorization)
    throw new AppError('unauthorized', `${action} needs an operator token (Authorization: Bearer …)`);
  throw new AppError('forbidden', `${action}: the operator token is not valid`);
}
