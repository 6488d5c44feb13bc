/**
 * Zip bombs for tests, built in memory in a moment: a raw-deflate chunk of 1 MiB of zeros ending on a sync
 * flush is a valid piece of a deflate stream, so n copies and a final empty block inflate to n MiB of zeros
 * (4,096 copies: a 4 GiB entry in ~4 MB). The entry's declared size is what the caller says (zip64 when it
 * is 4 GiB or more), so a test can make it tell the truth or lie.
 */
import { constants, deflateRawSync } from 'node:zlib';

const ZEROS_MIB = deflateRawSync(Buffer.alloc(1024 * 1024), { finishFlush: constants.Z_SYNC_FLUSH });
const FINAL_EMPTY_BLOCK = Buffer.from([0x03, 0x00]);

export function zeroBombZip(name: string, mib: number, declaredBytes = mib * 1024 * 1024): Buffer {
  const data = Buffer.concat([...Array.from({ length: mib }, () => ZEROS_MIB), FINAL_EMPTY_BLOCK]);
  const nameBuf = Buffer.from(name);
  const zip64 = declaredBytes >= 0xffffffff;
  const extra = Buffer.alloc(zip64 ? 20 : 0);
  if (zip64) {
    extra.writeUInt16LE(0x0001, 0);
    extra.writeUInt16LE(16, 2);
    extra.writeBigUInt64LE(BigInt(declaredBytes), 4);
    extra.writeBigUInt64LE(BigInt(data.length), 12);
  }
  const size32 = zip64 ? 0xffffffff : declaredBytes;
  const comp32 = zip64 ? 0xffffffff : data.length;
  const lh = Buffer.alloc(30);
  lh.writeUInt32LE(0x04034b50, 0);
  lh.writeUInt16LE(zip64 ? 45 : 20, 4);
  lh.writeUInt16LE(8, 8);
  lh.writeUInt32LE(comp32, 18);
  lh.writeUInt32LE(size32, 22);
  lh.writeUInt16LE(nameBuf.length, 26);
  lh.writeUInt16LE(extra.length, 28);
  const ch = Buffer.alloc(46);
  ch.writeUInt32LE(0x02014b50, 0);
  ch.writeUInt16LE(zip64 ? 45 : 20, 4);
  ch.writeUInt16LE(zip64 ? 45 : 20, 6);
  ch.writeUInt16LE(8, 10);
  ch.writeUInt32LE(comp32, 20);
  ch.writeUInt32LE(size32, 24);
  ch.writeUInt16LE(nameBuf.length, 28);
  ch.writeUInt16LE(extra.length, 30);
  ch.writeUInt32LE(0, 42);
  const local = Buffer.concat([lh, nameBuf, extra, data]);
  const central = Buffer.concat([ch, nameBuf, extra]);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(local.length, 16);
  return Buffer.concat([local, central, end]);
}

/** The largest resident set seen while `run` runs (sampled), minus the one before. */
export async function rssGrowth<T>(run: () => Promise<T>): Promise<{ result: T; growthBytes: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  try {
    const result = await run();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, growthBytes: peak - before };
  } finally {
    clearInterval(timer);
  }
}
