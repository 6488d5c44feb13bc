/** Terminal output: aligned tables (CJK-width aware) and an import progress line on a TTY. */
import type { ImportCounts } from '../imports/pipeline.js';
import type { BulkProgress } from '../exports/bulk.js';

const wide = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;
export const displayWidth = (s: string) => Array.from(s).reduce((w, c) => w + (wide.test(c) ? 2 : 1), 0);

function clip(s: string, max: number): string {
  let w = 0;
  let out = '';
  for (const c of s) {
    const cw = wide.test(c) ? 2 : 1;
    if (w + cw > max - 1 && displayWidth(s) > max) return `${out}…`;
    out += c;
    w += cw;
  }
  return out;
}

export function formatTable(head: string[], rows: string[][], maxCol = 70): string {
  const cells = [head, ...rows].map((r) => r.map((c) => clip(c.replace(/\s+/g, ' '), maxCol)));
  const widths = head.map((_, i) => Math.max(...cells.map((r) => displayWidth(r[i] ?? ''))));
  return cells
    .map((r, ri) => {
      const line = r
        .map((c, i) => c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - displayWidth(c))))
        .join('  ')
        .trimEnd();
      return ri === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
    })
    .join('\n');
}

export function progressReporter(stream: NodeJS.WritableStream, enabled: boolean) {
  const tty = enabled && (stream as NodeJS.WriteStream).isTTY === true;
  const started = Date.now();
  let last = 0;
  return {
    update(c: ImportCounts) {
      if (!tty || Date.now() - last < 200) return;
      last = Date.now();
      const secs = (Date.now() - started) / 1000;
      stream.write(
        `\r\x1b[K${c.read} read · ${c.imported} new · ${c.updated} updated · ${c.unchanged} unchanged · ${c.rejected} rejected · ${Math.round(c.read / Math.max(secs, 0.001))}/s`,
      );
    },
    stop() {
      if (tty) stream.write('\r\x1b[K');
    },
  };
}

/** The export's progress line on a TTY: written (of total, when known), skipped, records a second. */
export function exportProgressReporter(stream: NodeJS.WritableStream, enabled = true) {
  const tty = enabled && (stream as NodeJS.WriteStream).isTTY === true;
  const started = Date.now();
  let last = 0;
  return {
    update(p: BulkProgress) {
      if (!tty || Date.now() - last < 200) return;
      last = Date.now();
      const secs = (Date.now() - started) / 1000;
      const done = p.written + p.skipped;
      const of = p.total ? ` of ${p.total} (${Math.floor((done / Math.max(p.total, 1)) * 100)}%)` : '';
      stream.write(
        `\r\x1b[K${done}${of} · ${p.written} written · ${p.skipped} skipped · ${Math.round(done / Math.max(secs, 0.001))}/s`,
      );
    },
    stop() {
      if (tty) stream.write('\r\x1b[K');
    },
  };
}
