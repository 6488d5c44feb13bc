/**
 * A downloaded body made ready for its importer: a gzip file (served without Content-Encoding) is unpacked,
 * the kind is told from the first bytes (zip, XML, JSON, else CSV), the file gets the extension the format's
 * parser accepts, and the whole body is checked to be complete (JSON parses, XML closes its root, a zip has
 * its central directory) before a single record is imported. A body that fails the check is refused whole.
 */
import { createInterface } from 'node:readline';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { parse as parseCsv } from 'csv-parse/sync';
import { SaxesParser } from 'saxes';
import { zipEntries } from '../imports/zip.js';
import { DEFAULT_RETRY, FORMAT_BODY_KINDS, type BodyKind, type FeedFormat } from './model.js';

/** Why a body was refused; the service adds the feed's name and URL. */
export class BodyError extends Error {}

async function head(file: string, n: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** The kind a body's first bytes show; CSV is whatever is left for a format that takes CSV. */
export function sniffKind(first: Buffer, format: FeedFormat): BodyKind | null {
  if (first.length >= 4 && first.readUInt32LE(0) === 0x04034b50) return 'zip';
  const text = first
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (text.startsWith('<')) return 'xml';
  // newline-delimited JSON for a format that takes it (a GCVE dump), one document otherwise
  if (text.startsWith('{') && FORMAT_BODY_KINDS[format].includes('ndjson')) return 'ndjson';
  if (text.startsWith('{') || text.startsWith('[')) return 'json';
  return FORMAT_BODY_KINDS[format].includes('csv') && text.length > 0 ? 'csv' : null;
}

/**
 * `maxBytes` bounds the body once unpacked too (the download's limit bounds only what came over the wire:
 * 4 MB of gzip may unpack to 4 GiB). Zip entries are bounded when they are read (imports/zip.ts).
 */
export async function settleBody(
  raw: string,
  format: FeedFormat,
  maxBytes: number = DEFAULT_RETRY.maxBytes,
): Promise<{ path: string; kind: BodyKind }> {
  let file = raw;
  let first = await head(file, 512);
  if (first.length === 0) throw new BodyError('the body is empty');
  if (first[0] === 0x1f && first[1] === 0x8b) {
    const unpacked = `${raw}.gunzip`;
    let bytes = 0;
    const bounded = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        if (bytes > maxBytes)
          return done(new BodyError(`the gzip body unpacks to more than the ${maxBytes}-byte limit`));
        done(null, chunk);
      },
    });
    try {
      await pipeline(createReadStream(file), createGunzip(), bounded, createWriteStream(unpacked));
    } catch (e) {
      await rm(unpacked, { force: true });
      if (e instanceof BodyError) throw e;
      throw new BodyError(
        `the gzip body is damaged or truncated: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    await rm(file, { force: true });
    file = unpacked;
    first = await head(file, 512);
  }
  const kind = sniffKind(first, format);
  const allowed = FORMAT_BODY_KINDS[format];
  if (!kind || !allowed.includes(kind))
    throw new BodyError(
      `the body is ${kind ? `a ${kind} document` : 'of no known kind'} (starts with ${JSON.stringify(first.toString('latin1', 0, 16))}); a ${format} feed serves ${allowed.join(' or ')}`,
    );
  const path = `${raw.replace(/\.[^./]*$/, '')}.${kind}`;
  await rename(file, path);
  await verify(path, kind, format);
  return { path, kind };
}

const msg = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function verify(path: string, kind: BodyKind, format: FeedFormat): Promise<void> {
  switch (kind) {
    case 'json':
      try {
        JSON.parse(await readFile(path, 'utf8'));
      } catch (e) {
        throw new BodyError(`the JSON body is incomplete or invalid (truncated?): ${msg(e)}`);
      }
      return;
    case 'ndjson':
      return verifyNdjson(path);
    case 'csv':
      try {
        parseCsv(await readFile(path, 'utf8'), { columns: true, skip_empty_lines: true, bom: true });
      } catch (e) {
        throw new BodyError(`the CSV body is incomplete or invalid (truncated?): ${msg(e)}`);
      }
      return;
    case 'xml':
      return verifyXml(path);
    case 'zip': {
      let records = 0;
      try {
        for await (const entry of zipEntries(path, (name) => {
          if (/CVE-\d{4}-\d+\.json$/i.test(name)) records++;
          return false;
        }))
          void entry;
      } catch (e) {
        throw new BodyError(`the zip body is incomplete or damaged (truncated?): ${msg(e)}`);
      }
      if (format === 'cve5' && records === 0) throw new BodyError('the zip holds no CVE-*.json records');
      return;
    }
  }
}

/** Every line a JSON document, the last one too (a body cut short ends in half a line), streaming. */
async function verifyNdjson(path: string): Promise<void> {
  let n = 0;
  for await (const line of createInterface({
    input: createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  })) {
    n++;
    if (!line.trim()) continue;
    try {
      JSON.parse(line);
    } catch (e) {
      throw new BodyError(`the NDJSON body is incomplete or invalid at line ${n} (truncated?): ${msg(e)}`);
    }
  }
}

/** Well-formed to the end, streaming (a CNVD file can be large). */
async function verifyXml(path: string): Promise<void> {
  const parser = new SaxesParser({ xmlns: false });
  let fault: Error | null = null;
  let rootClosed = false;
  let depth = 0;
  parser.on('error', (e) => (fault ??= e));
  parser.on('opentag', () => depth++);
  parser.on('closetag', () => {
    depth--;
    if (depth === 0) rootClosed = true;
  });
  try {
    for await (const chunk of createReadStream(path, {
      encoding: 'utf8',
      highWaterMark: 256 * 1024,
    }) as AsyncIterable<string>) {
      parser.write(chunk);
      if (fault) break;
    }
    if (!fault) parser.close();
  } catch (e) {
    fault ??= e instanceof Error ? e : new Error(String(e));
  }
  if (fault) throw new BodyError(`the XML body is incomplete or malformed (truncated?): ${fault.message}`);
  if (!rootClosed) throw new BodyError('the XML body ends before its root element closes (truncated?)');
}
