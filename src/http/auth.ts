/**
 * Who is asking, for every request: an API token (`Authorization: Bearer vs_…`), else a session cookie, else
 * nobody. Cookie-authenticated requests that change something must carry the session's CSRF token in
 * `X-CSRF-Token` (the cookie is also SameSite=Strict). Services decide what the principal may do.
 */
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { ANONYMOUS, type Principal } from '../accounts/model.js';
import type { AccountService } from '../accounts/service.js';
import { SESSION_HOURS } from '../accounts/service.js';
import { AppError } from '../errors.js';

export const SESSION_COOKIE = 'vs_session';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Routes a cookie may call without a CSRF token: they start or end a session. */
const CSRF_EXEMPT = new Set(['/api/v1/auth/login', '/api/v1/auth/logout', '/api/v1/auth/register']);

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
    sessionToken: string | null;
    csrfToken: string | null;
  }
}

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export async function registerAuth(
  app: FastifyInstance,
  deps: { accounts: AccountService; secureCookies: boolean },
): Promise<void> {
  await app.register(cookie);
  app.decorateRequest('principal', null as never);
  app.decorateRequest('sessionToken', null);
  app.decorateRequest('csrfToken', null);
  app.addHook('onRequest', async (req: FastifyRequest) => {
    req.principal = ANONYMOUS;
    const auth = req.headers.authorization;
    if (auth) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      const p = m?.[1] ? await deps.accounts.resolveApiToken(m[1]) : null;
      if (!p) throw new AppError('unauthorized', 'The API token is not valid (unknown, revoked or expired)');
      req.principal = p;
      return;
    }
    const session = req.cookies[SESSION_COOKIE];
    if (!session) return;
    const s = await deps.accounts.resolveSession(session);
    if (!s) return;
    req.principal = s.principal;
    req.sessionToken = session;
    req.csrfToken = s.csrfToken;
    const path = req.url.split('?')[0] ?? '';
    if (!SAFE.has(req.method) && !CSRF_EXEMPT.has(path)) {
      const sent = req.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !same(sent, s.csrfToken))
        throw new AppError(
          'csrf_token_missing',
          'Missing or wrong X-CSRF-Token header for a signed-in request',
          {
            reason: 'csrf',
          },
        );
    }
  });
  app.decorateReply('setSession', function (this: FastifyReply, token: string | null) {
    if (token === null) void this.clearCookie(SESSION_COOKIE, { path: '/' });
    else
      void this.setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: deps.secureCookies,
        maxAge: SESSION_HOURS * 3600,
      });
  });
}

declare module 'fastify' {
  interface FastifyReply {
    setSession(token: string | null): void;
  }
}
