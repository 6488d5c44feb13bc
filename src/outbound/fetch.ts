/**
 * A `fetch` for requests the platform makes on a user's behalf (webhooks, feeds), built on node:http(s) so
 * that the address is checked where the connection is made: the host name is resolved, every address it
 * resolves to is checked against the internal-target rules (targets.ts), and the socket connects to the
 * checked address — a name that resolves to 127.0.0.1 or 169.254.169.254, now or after a DNS rebind, is
 * refused with a `TargetRefused` error before a byte is sent. Address literals are checked the same way.
 *
 * Redirects: `redirect: 'manual'` returns the 3xx as it is (webhook delivery uses it and treats a 3xx as a
 * failed delivery); `'error'` throws; `'follow'` (the default, as for fetch) follows at most `maxRedirects`
 * http(s) hops, each one a new request through the same checks. 303, and 301/302 after a POST, become GET.
 *
 * What it supports of fetch: a string or URL, method, headers, a string / bytes body, signal, redirect.
 * gzip, deflate and br Content-Encodings are undone (the header stays, as with fetch).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import {
  addressAllowed,
  describeRange,
  internalRange,
  NO_INTERNAL_TARGETS,
  parseAddress,
  type InternalAllowance,
} from './targets.js';

/** The platform refused to connect: an internal address, a redirect it may not follow, another scheme. */
export class TargetRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefused';
  }
}

/** Resolve a name to all its addresses (dns.lookup by default; tests inject their own). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export interface GuardedFetchOptions {
  /** Internal addresses allowed besides public ones (default none). */
  allowance?: InternalAllowance;
  /** Hops followed under redirect: 'follow' (default 5). */
  maxRedirects?: number;
  resolve?: Resolver;
}

const systemResolve: Resolver = (hostname) =>
  new Promise((res, rej) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? rej(err) : res(addresses))),
  );

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function refusal(address: string, hostname: string): TargetRefused {
  const range = internalRange(address) ?? 'internal';
  const via = parseAddress(hostname) ? '' : `${hostname} resolves to `;
  return new TargetRefused(
    `refused to connect: ${via}${address}, ${describeRange(range)} address (internal targets are not allowed; an admin can allow them with VULNSHARE_ALLOW_INTERNAL_TARGETS)`,
  );
}

/** A `lookup` for net / http that answers only with addresses the allowance admits, all of them checked. */
export function guardedLookup(
  allowance: InternalAllowance,
  resolve: Resolver = systemResolve,
): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (all) => {
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const wanted = family ? all.filter((a) => a.family === family) : all;
        const bad = all.find((a) => !addressAllowed(a.address, hostname, allowance));
        if (bad) return callback(refusal(bad.address, hostname), '', 0);
        const first = wanted[0];
        if (!first) {
          const e = Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' });
          return callback(e, '', 0);
        }
        if (options.all) (callback as (e: null, a: LookupAddress[]) => void)(null, wanted);
        else callback(null, first.address, first.family);
      },
      (e: NodeJS.ErrnoException) => callback(e, '', 0),
    );
  };
}

function headerRecord(h: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(h).forEach((v, k) => (out[k] = v));
  return out;
}

function bodyBytes(body: RequestInit['body']): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  throw new TypeError('this fetch sends string or byte bodies only');
}

function decoded(res: IncomingMessage): Readable {
  switch ((res.headers['content-encoding'] ?? '').trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return res.pipe(createGunzip());
    case 'deflate':
      return res.pipe(createInflate());
    case 'br':
      return res.pipe(createBrotliDecompress());
    default:
      return res;
  }
}

function toResponse(res: IncomingMessage, method: string): Response {
  const headers = new Headers();
  for (const [k, v] of Object.entries(res.headers))
    if (Array.isArray(v)) for (const one of v) headers.append(k, one);
    else if (v !== undefined) headers.set(k, v);
  const status = res.statusCode ?? 502;
  let body: ReadableStream<Uint8Array> | null = null;
  if (method === 'HEAD' || NULL_BODY.has(status)) res.resume();
  else {
    const stream = decoded(res);
    if (stream !== res) res.on('error', (e) => stream.destroy(e));
    body = Readable.toWeb(stream) as ReadableStream<Uint8Array>;
  }
  return new Response(body, { status, statusText: res.statusMessage ?? '', headers });
}

const abortReason = (signal: AbortSignal): Error =>
  signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));

function once(
  url: URL,
  init: { method: string; headers: Record<string, string>; body: Buffer | undefined; signal?: AbortSignal },
  lookup: LookupFunction,
  allowance: InternalAllowance,
): Promise<Response> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return Promise.reject(new TargetRefused(`refused to connect: ${url.protocol} URLs are not fetched`));
  const literal = parseAddress(url.hostname);
  if (literal && !addressAllowed(literal.toString(), url.hostname, allowance))
    return Promise.reject(refusal(literal.toString(), url.hostname));
  const options: RequestOptions = {
    method: init.method,
    headers: {
      'accept-encoding': 'gzip, deflate, br',
      ...init.headers,
      ...(init.body ? { 'content-length': String(init.body.length) } : {}),
    },
    agent: false,
    lookup,
    ...(init.signal ? { signal: init.signal } : {}),
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, options, (res) => resolve(toResponse(res, init.method)));
    // as fetch: an abort rejects with the signal's reason, a network error with TypeError('fetch failed')
    req.on('error', (e) =>
      reject(
        init.signal?.aborted
          ? abortReason(init.signal)
          : e instanceof TargetRefused
            ? e
            : new TypeError('fetch failed', { cause: e }),
      ),
    );
    req.end(init.body);
  });
}

/** A fetch that refuses internal targets (unless allowed) at connection time, redirects included. */
export function createGuardedFetch(opts: GuardedFetchOptions = {}): typeof fetch {
  const allowance = opts.allowance ?? NO_INTERNAL_TARGETS;
  const maxRedirects = opts.maxRedirects ?? 5;
  const lookup = guardedLookup(allowance, opts.resolve);
  const guarded = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    if (typeof input !== 'string' && !(input instanceof URL))
      throw new TypeError('this fetch takes a URL, not a Request');
    let url = new URL(input);
    let method = (init.method ?? 'GET').toUpperCase();
    const headers = headerRecord(init.headers);
    let body = bodyBytes(init.body);
    const mode = init.redirect ?? 'follow';
    for (let hop = 0; ; hop++) {
      const res = await once(
        url,
        { method, headers, body, ...(init.signal ? { signal: init.signal } : {}) },
        lookup,
        allowance,
      );
      const location = res.headers.get('location');
      if (!REDIRECTS.has(res.status) || !location || mode === 'manual') return res;
      await res.body?.cancel().catch(() => undefined);
      if (mode === 'error')
        throw new TargetRefused(`refused to follow a redirect (HTTP ${res.status} to ${location})`);
      if (hop >= maxRedirects)
        throw new TargetRefused(`refused to follow more than ${maxRedirects} redirects`);
      url = new URL(location, url);
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = undefined;
        delete headers['content-type'];
      }
    }
  };
  return guarded;
}
