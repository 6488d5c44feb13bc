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
/** PostgreSQL's largest tsvector position. */
const MAX_TSVECTOR_POS = 16383;

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

/**
 * The regex above backtracks per character of a match, so one very long run (a 5 MB "word" in a CNVD
 * field) overflowed V8's regexp stack ("Maximum call stack size exceeded"). The text is therefore cut
 * into windows of about WINDOW characters at a character no token contains (space, punctuation), so
 * no match ever spans more than a window; a stretch with no such character for 2·WINDOW characters is
 * cut where it stands (it holds no word short enough to keep anyway, at most one CJK bigram is lost).
 */
const WINDOW = 1 << 16;
const TOKEN_BREAK_RE = /[^\p{L}\p{N}\-_./]/u;

/** Windows of a text; `cutBefore` / `cutAfter` say a window starts / ends inside a run of word characters. */
function* windowsOf(s: string): Generator<{ text: string; cutBefore: boolean; cutAfter: boolean }> {
  let i = 0;
  let cutBefore = false;
  while (s.length - i > 2 * WINDOW) {
    const at = s.slice(i + WINDOW, i + 2 * WINDOW).search(TOKEN_BREAK_RE);
    const end = at >= 0 ? i + WINDOW + at + 1 : i + 2 * WINDOW;
    yield { text: s.slice(i, end), cutBefore, cutAfter: at < 0 };
    cutBefore = at < 0;
    i = end;
  }
  yield { text: s.slice(i), cutBefore, cutAfter: false };
}

/**
 * Tokens of a text in order, with positions starting at `startPos`; none past `maxPos` (a tsvector keeps
 * positions up to 16383, so a 50 MB field is read only as far as it can be indexed).
 */
export function tokenize(input: string, startPos = 1, maxPos = Infinity): Token[] {
  const out: Token[] = [];
  let pos = startPos;
  let run = 0;
  for (const { text, cutBefore, cutAfter } of windowsOf(input)) {
    if (pos > maxPos) break;
    const window = normaliseText(text);
    for (const m of window.matchAll(TOKEN_RE)) {
      if (pos > maxPos) break;
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
      // The end of a run longer than a window, cut where it stood: not a word of its own.
      if ((cutBefore && m.index === 0) || (cutAfter && m.index + word.length === window.length)) continue;
      out.push({ text: word, pos });
      if (/[-_./]/.test(word))
        for (const p of word.split(/[-_./]/)) if (p) out.push({ text: p, pos, part: true });
      pos++;
    }
  }
  return out;
}

const quote = (t: string) =>
  t.includes("'") || t.includes('\\') ? `'${t.replace(/\\/g, '\\\\').replace(/'/g, "''")}'` : `'${t}'`;

export type Weight = 'A' | 'B' | 'C' | 'D';

/** A lexeme's positions in buildTsvector: the literal's tail (":1A,5A") and how many it holds. */
interface Positions {
  text: string;
  n: number;
}

/**
 * A tsvector literal ('tok':1A 'tok2':2A …) from weighted texts; cast with ::tsvector. At most 64 positions a
 * lexeme, none past 16383. Built as one string per lexeme (not a list of positions joined at the end): the writer
 * builds one for every vulnerability it writes, and this cut its cost by about a third (issue 16).
 */
export function buildTsvector(parts: Array<{ text: string | undefined | null; weight: Weight }>): string {
  const lexemes = new Map<string, Positions>();
  let pos = 1;
  for (const { text, weight } of parts) {
    if (!text) continue;
    const toks = tokenize(text, pos, MAX_TSVECTOR_POS);
    for (const t of toks) {
      if (t.pos > MAX_TSVECTOR_POS) break;
      const got = lexemes.get(t.text);
      if (got === undefined) lexemes.set(t.text, { text: `:${t.pos}${weight}`, n: 1 });
      else if (got.n < 64) {
        got.text += `,${t.pos}${weight}`;
        got.n++;
      }
      if (t.pos >= pos) pos = t.pos + 1;
    }
    pos += 1;
  }
  let out = '';
  for (const [lex, ps] of lexemes) out += `${out ? ' ' : ''}${quote(lex)}${ps.text}`;
  return out;
}

/** The clauses of a search box text's tsquery: each term's plain tokens and CJK phrases, each once. */
function tsqueryClauses(q: string): Array<{ clause: string; lexemes: string[] }> {
  const clauses = new Map<string, string[]>();
  for (const term of normaliseText(q).split(/\s+/).filter(Boolean)) {
    const toks = tokenize(term).filter((t) => !t.part);
    const byRun = new Map<number, string[]>();
    for (const t of toks) {
      if (t.run !== undefined) {
        const l = byRun.get(t.run) ?? [];
        l.push(quote(t.text));
        byRun.set(t.run, l);
      } else clauses.set(quote(t.text), [quote(t.text)]);
    }
    for (const phrase of byRun.values())
      clauses.set(phrase.length === 1 ? (phrase[0] ?? '') : `(${phrase.join(' <-> ')})`, phrase);
  }
  return [...clauses].map(([clause, lexemes]) => ({ clause, lexemes }));
}

/**
 * A tsquery literal for a search box text, or null when it has no searchable token.
 * Every whitespace-separated term must match; a CJK run is a phrase of its bigrams. A repeated term is asked
 * once ("overflow overflow" is 'overflow').
 */
export function buildTsquery(q: string): string | null {
  const clauses = tsqueryClauses(q).map((c) => c.clause);
  return clauses.length > 0 ? clauses.join(' & ') : null;
}

/**
 * The distinct lexemes of buildTsquery(q), each a tsquery literal of its own: no match of the whole query
 * lacks any of them, so the rarest one bounds how many rows the query can match.
 */
export function tsqueryLexemes(q: string): string[] {
  return [...new Set(tsqueryClauses(q).flatMap((c) => c.lexemes))];
}
