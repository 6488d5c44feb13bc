/**
 * Entries of a zip file, one at a time (yauzl, lazy): memory holds one entry, never the archive. An entry
 * larger than ZipLimits.maxEntryBytes, or inflating more than maxRatio times its compressed size, is
 * refused by name without being inflated past the limit (a 4 MB zip may hold a 4 GiB entry of zeros);
 * the other entries are still read.
 */
import yauzl from 'yauzl';

export interface ZipLimits {
  /** Largest entry read, uncompressed. The largest real cvelistV5 record is a few MB. */
  maxEntryBytes: number;
  /** Largest uncompressed / compressed ratio of an entry over ratioFloorBytes (JSON is ~5–20). */
  maxRatio: number;
  /** Entries up to this size are not held to maxRatio (a tiny file may compress very well). */
  ratioFloorBytes: number;
}

export const ZIP_LIMITS: ZipLimits = {
  maxEntryBytes: 64 * 1024 * 1024,
  maxRatio: 200,
  ratioFloorBytes: 1024 * 1024,
};

export type ZipTextEntry = { name: string; text: string } | { name: string; refused: string };

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MiB`;

/** Why an entry of this many bytes (so far, or declared) inflated from `compressed` bytes is refused, or null. */
function overLimit(bytes: number, compressed: number, limits: ZipLimits, declared: boolean): string | null {
  const what = declared ? 'declares' : 'inflates to more than';
  if (bytes > limits.maxEntryBytes)
    return `entry ${what} ${mib(bytes)}, over the ${mib(limits.maxEntryBytes)} limit of an entry`;
  if (bytes > limits.ratioFloorBytes && bytes > limits.maxRatio * Math.max(1, compressed))
    return `entry ${what} ${mib(bytes)} from ${compressed} compressed bytes, over the ${limits.maxRatio}:1 compression-ratio limit (a zip bomb?)`;
  return null;
}

export async function* zipEntries(
  file: string,
  accept: (name: string) => boolean,
  limits: ZipLimits = ZIP_LIMITS,
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
      const declared = overLimit(entry.uncompressedSize, entry.compressedSize, limits, true);
      if (declared) {
        yield { name: entry.fileName, refused: declared };
        continue;
      }
      // The declared size may lie: count what is inflated and stop at the limit.
      const read = await new Promise<{ text: string } | { refused: string }>((resolve, reject) =>
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) return reject(err ?? new Error('cannot read entry'));
          const chunks: Buffer[] = [];
          let bytes = 0;
          let done = false;
          stream.on('data', (c: Buffer) => {
            if (done) return;
            bytes += c.length;
            const over = overLimit(bytes, entry.compressedSize, limits, false);
            if (over) {
              done = true;
              chunks.length = 0;
              stream.destroy();
              resolve({ refused: over });
              return;
            }
            chunks.push(c);
          });
          stream.on('end', () => {
            if (!done) resolve({ text: Buffer.concat(chunks).toString('utf8') });
          });
          // A damaged entry (or one inflating past the size it declares) is refused; the others are read.
          stream.on('error', (e) => {
            if (done) return;
            done = true;
            chunks.length = 0;
            resolve({
              refused: /too many bytes/.test(e.message)
                ? `entry inflates past the ${entry.uncompressedSize} bytes it declares (a zip bomb?)`
                : `cannot inflate the entry: ${e.message}`,
            });
          });
        }),
      );
      yield { name: entry.fileName, ...read };
    }
  } finally {
    zip.close();
  }
}
