/**
 * A bulk export written as one zip (yazl: streaming, deflate, zip64 past 65,535 entries or 4 GiB). Each entry
 * is compressed and written to the file as it comes, with back-pressure: memory holds one entry at a time.
 * The file is written beside its final name and renamed when complete, so a failed export never leaves a
 * truncated zip under the name asked for.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import yazl from 'yazl';
import type { EntrySink } from './bulk.js';

export function zipSink(file: string): EntrySink {
  const partial = `${file}.partial`;
  const zip = new yazl.ZipFile();
  const out = createWriteStream(partial);
  const piped = zip.outputStream.pipe(out);
  const done = once(piped, 'close');
  let failed: Error | null = null;
  out.on('error', (e) => (failed = e));
  return {
    async write(name, data) {
      if (failed) throw failed;
      const entry = new PassThrough();
      zip.addReadStream(entry, name, { mtime: new Date(), mode: 0o100644 });
      for await (const chunk of typeof data === 'string' ? [data] : data)
        if (!entry.write(chunk)) await once(entry, 'drain');
      entry.end();
      // wait until the archive has taken this entry in (its stream is consumed), keeping one in memory
      await once(entry, 'end');
    },
    async close() {
      zip.end();
      await done;
      if (failed) {
        await rm(partial, { force: true });
        throw failed;
      }
      await rename(partial, file);
    },
  };
}
