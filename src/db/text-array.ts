/**
 * A `text[]` query parameter sent in PostgreSQL's binary array format (issue 16).
 *
 * An import's largest values — each record's verbatim source — used to travel inside the batch's JSON
 * parameter: escaped by JSON.stringify on the writer thread, then parsed back by jsonb_in on the server.
 * In the binary format each element is a length and its UTF-8 bytes, so neither side scans or escapes it:
 * the server's array_recv copies the bytes (and checks them as UTF-8). Use it as `${new TextArrayParam(v)}::text[]`.
 *
 * node-postgres sends a Buffer parameter in binary format (its toPostgres hook below). The embedded PGlite
 * binds every parameter as text, so its adapter in ./client.ts hands it the array literal instead (PGlite's
 * serialiser passes a string on as it is; its own escaping of a JS array made a 20k import ~8 % slower, this
 * literal is even with the JSON it replaces); a client of an embedded database's owner speaks the wire
 * protocol and gets the binary form. Shipped CLI, 20,000 CVE records into a fresh store, old and new code
 * alternating: PostgreSQL 12.3 / 12.5 / 12.3 s → 10.5 / 10.8 / 10.9 s (the server's bind of the source
 * records' statement 1.2 → 0.5 s over the import); PGlite 20.3 / 19.6 s → 20.1 / 19.8 s.
 */
const TEXT_OID = 25;

export class TextArrayParam {
  constructor(readonly values: readonly string[]) {}

  /** The array as a text literal ({"…","…"}), which PGlite's serialiser passes on as it is. */
  literal(): string {
    return `{${this.values.map((v) => `"${v.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
  }

  /** node-postgres calls this and sends the Buffer it returns as a binary parameter. */
  toPostgres(): Buffer {
    return encodeTextArray(this.values);
  }
}

/** PostgreSQL's binary representation of a one-dimensional text[] without NULLs (what array_send writes). */
export function encodeTextArray(values: readonly string[]): Buffer {
  if (values.length === 0) {
    const empty = Buffer.alloc(12);
    empty.writeInt32BE(0, 0); // no dimensions
    empty.writeInt32BE(0, 4); // no NULLs
    empty.writeInt32BE(TEXT_OID, 8);
    return empty;
  }
  const lengths = values.map((v) => Buffer.byteLength(v, 'utf8'));
  let size = 20 + 4 * values.length;
  for (const n of lengths) size += n;
  const buf = Buffer.allocUnsafe(size);
  buf.writeInt32BE(1, 0); // one dimension
  buf.writeInt32BE(0, 4); // no NULLs
  buf.writeInt32BE(TEXT_OID, 8);
  buf.writeInt32BE(values.length, 12);
  buf.writeInt32BE(1, 16); // lower bound
  let at = 20;
  values.forEach((v, i) => {
    const n = lengths[i] ?? 0;
    buf.writeInt32BE(n, at);
    at += 4;
    if (buf.write(v, at, n, 'utf8') !== n)
      throw new Error('text[] parameter: UTF-8 length changed while writing');
    at += n;
  });
  return buf;
}
