/**
 * CJK-aware tokens for PostgreSQL full-text search, built in the application so PGlite and
 * PostgreSQL index identically (no server-side parser or extension needed).
 *
 * - Text is NFKC-normalised (full-width → ASCII) and lower-cased.
 * - A run of CJK characters becomes its overlapping bigrams ("缓冲区溢出" → 缓冲 冲区 区溢 溢出), with
 *   consecutive positions, so a query for any CJK substring of length ≥ 2 is a phrase of bigrams
 *   (缓冲 <-> 冲区 …): substring semantics, answered by the GIN index. A lone CJK character is a unigram.
 * - A run of letters/digits joined by - _ . / (DIR-823G, 5.2.0.1, CVE-2024-0204) is kept whole and also
 *   split into its parts, so "dir-823g", "823g" and "dir" all match.
 */

const MAX_TOKEN_LEN = 64;

export interface Token {
  text: string;
  pos: number;
  /** True for a part of a joined word (not used to build queries). */
  part?: boolean;
  /** CJK run number: bigrams of one run form a phrase. */
  run?: number;
}

export function normaliseText(s: string): string {
  return s.normalize('NFKC').toLowerCase();
}

const TOKEN_RE =
  /([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]+)|((?:(?![\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af])[\p{L}\p{N}])+(?:[-_./](?:(?![\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af])[\p{L}\p{N}])+)*)/gu;

/** Tokens of a text in order, with positions starting at `startPos`. */
export function tokenize(input: string, startPos = 1): Token[] {
  const s = normaliseText(input);
  const out: Token[] = [];
  let pos = startPos;
  let run = 0;
  for (const m of s.matchAll(TOKEN_RE)) {
    const cjk = m[1];
    if (cjk !== undefined) {
      run++;
      const chars = Array.from(cjk);
      if (chars.length === 1) out.push({ text: cjk, pos: pos++, run });
      else
        for (let k = 0; k < chars.length - 1; k++)
          out.push({ text: (chars[k] ?? '') + (chars[k + 1] ?? ''), pos: pos++, run });
      continue;
    }
    const word = m[2] ?? '';
    if (word.length > MAX_TOKEN_LEN) continue;
    out.push({ text: word, pos });
    if (/[-_./]/.test(word))
      for (const p of word.split(/[-_./]/)) if (p) out.push({ text: p, pos, part: true });
    pos++;
  }
  return out;
}

const quote = (t: string) => `'${t.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

export type Weight = 'A' | 'B' | 'C' | 'D';

/** A tsvector literal ('tok':1A 'tok2':2A …) from weighted texts; cast with ::tsvector. */
export function buildTsvector(parts: Array<{ text: string | undefined | null; weight: Weight }>): string {
  const lexemes = new Map<string, string[]>();
  let pos = 1;
  for (const { text, weight } of parts) {
    if (!text) continue;
    const toks = tokenize(text, pos);
    for (const t of toks) {
      if (t.pos > 16383) break;
      const list = lexemes.get(t.text) ?? [];
      if (list.length < 64) list.push(`${t.pos}${weight}`);
      lexemes.set(t.text, list);
      pos = Math.max(pos, t.pos + 1);
    }
    pos += 1;
  }
  return Array.from(lexemes, ([lex, ps]) => `${quote(lex)}:${ps.join(',')}`).join(' ');
}

/**
 * A tsquery literal for a search box text, or null when it has no searchable token.
 * Every whitespace-separated term must match; a CJK run is a phrase of its bigrams.
 */
export function buildTsquery(q: string): string | null {
  const clauses: string[] = [];
  for (const term of normaliseText(q).split(/\s+/).filter(Boolean)) {
    const toks = tokenize(term).filter((t) => !t.part);
    const byRun = new Map<number, string[]>();
    for (const t of toks) {
      if (t.run !== undefined) {
        const l = byRun.get(t.run) ?? [];
        l.push(quote(t.text));
        byRun.set(t.run, l);
      } else clauses.push(quote(t.text));
    }
    for (const phrase of byRun.values())
      clauses.push(phrase.length === 1 ? (phrase[0] ?? '') : `(${phrase.join(' <-> ')})`);
  }
  return clauses.length > 0 ? clauses.join(' & ') : null;
}
