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

/**
 * What a token is, as a regular expression (the specification; the scanner below implements it, and
 * tokens.test.ts checks the two agree): a run of CJK characters, or a run of other letters and digits joined
 * by - _ . / (each joiner followed by a letter or digit).
 */
export const TOKEN_RE =
  /([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]+)|((?:(?![\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af])[\p{L}\p{N}])+(?:[-_./](?:(?![\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af])[\p{L}\p{N}])+)*)/gu;

const isCjk = (c: number): boolean =>
  (c >= 0x4e00 && c <= 0x9fff) ||
  (c >= 0x3400 && c <= 0x4dbf) ||
  (c >= 0x3040 && c <= 0x30ff) ||
  (c >= 0xac00 && c <= 0xd7af) ||
  (c >= 0xf900 && c <= 0xfaff);

const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
/** Whether a BMP code unit is a letter or digit: 0 not yet asked, 1 yes, 2 no (asked of the regex once each). */
const bmpWordChar = new Uint8Array(0x10000);

/**
 * The length in code units (1, or 2 for a pair of surrogates) of the non-CJK letter or digit at `i`, or 0 when
 * there is none there.
 */
function wordCharAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c < 0x80)
    return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) ? 1 : 0;
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return LETTER_OR_DIGIT.test(s.slice(i, i + 2)) ? 2 : 0;
    return 0;
  }
  if (isCjk(c)) return 0;
  let known = bmpWordChar[c];
  if (known === 0) bmpWordChar[c] = known = LETTER_OR_DIGIT.test(String.fromCharCode(c)) ? 1 : 2;
  return known === 1 ? 1 : 0;
}

const isJoiner = (c: number): boolean => c === 0x2d || c === 0x5f || c === 0x2e || c === 0x2f;

/**
 * The text is read in windows of about WINDOW characters, cut at a character no token contains (space,
 * punctuation), so no token ever spans more than a window; a stretch with no such character for 2·WINDOW
 * characters is cut where it stands (it holds no word short enough to keep anyway, at most one CJK bigram is
 * lost). Windows began when TOKEN_RE did the scanning, whose backtracking over one very long run (a 5 MB "word"
 * in a CNVD field) overflowed V8's regexp stack; they still keep normalisation to the part of a huge field that
 * is read (a tsvector holds positions up to 16383 only).
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

/** Told of each token as it is found: its text, its position, whether it is a part of a joined word, its CJK run (0: none). */
type EmitToken = (text: string, pos: number, part: boolean, run: number) => void;

/**
 * The tokenizer itself, shared by tokenize (queries) and buildTsvector (the index), so that the two cannot
 * disagree: it hands each token to `emit` rather than building a Token object per token. It reads the text a
 * code unit at a time (TOKEN_RE's matches, without a regular expression: the writer tokenizes every record it
 * writes, and the expression's look-ahead at each character was most of the cost). Every CJK range lies in the
 * Basic Multilingual Plane, so a CJK run's characters are its UTF-16 code units and its bigrams are slices.
 */
function scanTokens(input: string, startPos: number, maxPos: number, emit: EmitToken): void {
  let pos = startPos;
  let run = 0;
  for (const { text, cutBefore, cutAfter } of windowsOf(input)) {
    if (pos > maxPos) break;
    const w = normaliseText(text);
    const n = w.length;
    let i = 0;
    while (i < n) {
      const c = w.charCodeAt(i);
      if (isCjk(c)) {
        if (pos > maxPos) break;
        let j = i + 1;
        while (j < n && isCjk(w.charCodeAt(j))) j++;
        run++;
        if (j - i === 1) emit(w.slice(i, j), pos++, false, run);
        else for (let k = i; k < j - 1; k++) emit(w.slice(k, k + 2), pos++, false, run);
        i = j;
        continue;
      }
      let len = wordCharAt(w, i);
      if (len === 0) {
        const d = w.charCodeAt(i + 1);
        i += c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff ? 2 : 1;
        continue;
      }
      if (pos > maxPos) break;
      let j = i + len;
      let joined = false;
      for (;;) {
        while (j < n && (len = wordCharAt(w, j)) > 0) j += len;
        if (j + 1 < n && isJoiner(w.charCodeAt(j)) && (len = wordCharAt(w, j + 1)) > 0) {
          j += 1 + len;
          joined = true;
          continue;
        }
        break;
      }
      const start = i;
      i = j;
      if (j - start > MAX_TOKEN_LEN) continue;
      // The end of a run longer than a window, cut where it stood: not a word of its own.
      if ((cutBefore && start === 0) || (cutAfter && j === n)) continue;
      const word = w.slice(start, j);
      emit(word, pos, false, 0);
      if (joined) for (const p of word.split(WORD_JOINER)) if (p) emit(p, pos, true, 0);
      pos++;
    }
  }
}

const WORD_JOINER = /[-_./]/;

/**
 * Tokens of a text in order, with positions starting at `startPos`; none past `maxPos` (a tsvector keeps
 * positions up to 16383, so a 50 MB field is read only as far as it can be indexed).
 */
export function tokenize(input: string, startPos = 1, maxPos = Infinity): Token[] {
  const out: Token[] = [];
  scanTokens(input, startPos, maxPos, (text, pos, part, run) => {
    out.push(run > 0 ? { text, pos, run } : part ? { text, pos, part: true } : { text, pos });
  });
  return out;
}

const quote = (t: string) =>
  t.includes("'") || t.includes('\\') ? `'${t.replace(/\\/g, '\\\\').replace(/'/g, "''")}'` : `'${t}'`;

export type Weight = 'A' | 'B' | 'C' | 'D';

/** A lexeme's entry in buildTsvector: its part of the literal ("'tok':1A,5A") and how many positions it holds. */
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
  let weight: Weight = 'A';
  // tokens come in position order: one past the last position ends the text's tokens. A token holds only
  // letters, digits and - _ . / (scanTokens), never a quote or a backslash: it is quoted as it stands.
  const add: EmitToken = (text, p) => {
    if (p > MAX_TSVECTOR_POS) return;
    const got = lexemes.get(text);
    if (got === undefined) lexemes.set(text, { text: `'${text}':${p}${weight}`, n: 1 });
    else if (got.n < 64) {
      got.text += `,${p}${weight}`;
      got.n++;
    }
    if (p >= pos) pos = p + 1;
  };
  for (const part of parts) {
    if (!part.text) continue;
    weight = part.weight;
    scanTokens(part.text, pos, MAX_TSVECTOR_POS, add);
    pos += 1;
  }
  return Array.from(lexemes.values(), (l) => l.text).join(' ');
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
