/** Entries of a zip file, one at a time (yauzl, lazy): memory holds one entry, never the archive. */
import yauzl from 'yauzl';

export interface ZipTextEntry {
  name: string;
  text: string;
}

export async function* zipEntries(
  file: string,
  accept: (name: string) => boolean,
): AsyncGenerator<ZipTextEntry> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: true, strictFileNames: false }, (err, z) =>
      err || !z ? reject(err ?? new Error('cannot open zip')) : resolve(z),
    ),
  );
  try {
    while (true) {
      const entry = await new Promise<yauzl.Entry | null>((resolve, reject) => {
        const onEntry = (e: yauzl.Entry) => {
          cleanup();
          resolve(e);
        };
        const onEnd = () => {
          cleanup();
          resolve(null);
        };
        const onError = (e: Error) => {
          cleanup();
          reject(e);
        };
        const cleanup = () => {
          zip.off('entry', onEntry);
          zip.off('end', onEnd);
          zip.off('error', onError);
        };
        zip.on('entry', onEntry);
        zip.on('end', onEnd);
        zip.on('error', onError);
        zip.readEntry();
      });
      if (!entry) return;
      if (entry.fileName.endsWith('/') || !accept(entry.fileName)) continue;
      const text = await new Promise<string>((resolve, reject) =>
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) return reject(err ?? new Error('cannot read entry'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
          stream.on('error', reject);
        }),
      );
      yield { name: entry.fileName, text };
    }
  } finally {
    zip.close();
  }
}
