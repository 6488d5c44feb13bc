/**
 * Response headers every page and API answer carries (@fastify/helmet), and what the request log may show.
 *
 * The web app is a same-origin module bundle: scripts only from 'self' (no inline script, no eval). Styles allow
 * inline because ECharts and the bulletin's HTML set style attributes. The bulletin preview is framed by the
 * console itself, so framing is same-origin only. Referrers are never sent: a recipient's link carries its
 * token in the path (/respond/<token>) and a fix URL it follows must not learn it.
 */
import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'self'"],
  // the platform may run on plain http (127.0.0.1): never rewrite its own requests to https
  upgradeInsecureRequests: null,
};

export async function registerSecurityHeaders(app: FastifyInstance, opts: { https: boolean }): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    frameguard: { action: 'sameorigin' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
    // HSTS only where the platform is served over https
    strictTransportSecurity: opts.https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
}

/** Secrets that travel in URLs — respond-link tokens, in the API and the web page — never reach the log. */
export function redactUrl(url: string): string {
  return url
    .replace(/(\/respond\/)[^/?#]+/g, '$1[redacted]')
    .replace(/([?&](?:token|access_token)=)[^&#]*/gi, '$1[redacted]');
}

/** The request log's view of a request: Fastify's default fields, the URL redacted. */
export const requestLogSerializer = (req: FastifyRequest) => ({
  method: req.method,
  url: redactUrl(req.url),
  host: req.host,
  remoteAddress: req.ip,
  remotePort: req.socket.remotePort,
});
