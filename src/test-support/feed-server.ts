/**
 * Test support: a real HTTP server on 127.0.0.1 whose behaviour a test swaps at will (serve a document with
 * ETag / Last-Modified and answer conditional requests, fail, hang, cut the body short), and a small zip writer.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface Doc {
  body: Buffer;
  contentType?: string;
  /** Send an ETag (strong, from the body's hash). Default true. */
  etag?: boolean;
  /** Send this Last-Modified. */
  lastModified?: Date;
  /** Content-Encoding: gzip. */
  gzip?: boolean;
}

export interface FeedServer {
  url(path: string): string;
  requests: Array<{ path: string; at: number; headers: IncomingMessage['headers'] }>;
  handle(h: Handler): void;
  close(): Promise<void>;
}

export async function startFeedServer(): Promise<FeedServer> {
  let handler: Handler = (_req, res) => res.writeHead(404).end();
  const requests: FeedServer['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({ path: req.url ?? '/', at: Date.now(), headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    requests,
    handle: (h) => (handler = h),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export const etagOf = (body: Buffer) => `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;

/** Serve `doc()` (read per request, so a test can change it), answering If-None-Match / If-Modified-Since. */
export function serve(doc: () => Doc): Handler {
  return (req, res) => {
    const d = doc();
    const etag = d.etag === false ? null : etagOf(d.body);
    const headers: Record<string, string> = { 'content-type': d.contentType ?? 'application/octet-stream' };
    if (etag) headers.etag = etag;
    if (d.lastModified) headers['last-modified'] = d.lastModified.toUTCString();
    const inm = req.headers['if-none-match'];
    const ims = req.headers['if-modified-since'];
    if (etag && inm !== undefined) {
      if (inm === etag) return res.writeHead(304, headers).end();
    } else if (d.lastModified && ims && Date.parse(ims) >= Math.floor(d.lastModified.getTime() / 1000) * 1000)
      return res.writeHead(304, headers).end();
    const body = d.gzip ? gzipSync(d.body) : d.body;
    if (d.gzip) headers['content-encoding'] = 'gzip';
    res.writeHead(200, { ...headers, 'content-length': String(body.length) }).end(body);
  };
}

/** Answer each request with the next handler; the last one repeats. */
export function sequence(...handlers: Handler[]): Handler {
  let i = 0;
  return (req, res) => {
    const h = handlers[Math.min(i++, handlers.length - 1)];
    if (h) h(req, res);
  };
}

export const status =
  (code: number, headers: Record<string, string> = {}): Handler =>
  (_req, res) =>
    res.writeHead(code, headers).end(`status ${code}`);

/** Never answer. */
export const hang: Handler = () => undefined;

/** Announce the whole body, send the first `sent` bytes, then cut the connection. */
export const cutShort =
  (body: Buffer, sent: number): Handler =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
    res.write(body.subarray(0, sent), () => res.socket?.destroy());
  };

export { zipOf } from '../test-support/zip.js';
