import { describe, expect, it } from 'vitest';
import {
  buildTsquery,
  buildTsvector,
  normaliseText,
  TOKEN_RE,
  tokenize,
  tsqueryLexemes,
  type Token,
} from './tokens.js';

const texts = (s: string) => tokenize(s).map((t) => t.text);

describe('CJK-aware tokens', () => {
  it('splits a CJK run into overlapping bigrams', () => {
    expect(texts('缓冲区溢出')).toEqual(['缓冲', '冲区', '区溢', '溢出']);
  });
  it('keeps a joined model number whole and also its parts', () => {
    const t = texts('D-Link DIR-823G命令注入漏洞');
    expect(t).toEqual([
      'd-link',
      'd',
      'link',
      'dir-823g',
      'dir',
      '823g',
      '命令',
      '令注',
      '注入',
      '入漏',
      '漏洞',
    ]);
  });
  it('normalises full-width letters and case', () => {
    expect(texts('ＤＩＲ－８２３Ｇ')).toContain('dir-823g');
  });
  it('makes a CJK query a phrase of bigrams, words an AND', () => {
    expect(buildTsquery('缓冲区溢出')).toBe("('缓冲' <-> '冲区' <-> '区溢' <-> '溢出')");
    expect(buildTsquery('tenda  缓冲区')).toBe("'tenda' & ('缓冲' <-> '冲区')");
    expect(buildTsquery('  !!! ')).toBeNull();
  });
  it('asks a repeated term once, and names each lexeme of a query once', () => {
    expect(buildTsquery('overflow Overflow overflow')).toBe("'overflow'");
    expect(buildTsquery('缓冲区 tenda 缓冲区')).toBe("('缓冲' <-> '冲区') & 'tenda'");
    expect(tsqueryLexemes('tenda 缓冲区溢出 tenda 缓冲')).toEqual([
      "'tenda'",
      "'缓冲'",
      "'冲区'",
      "'区溢'",
      "'溢出'",
    ]);
    expect(tsqueryLexemes('  !!! ')).toEqual([]);
  });
  it('never lets punctuation into a lexeme', () => {
    expect(buildTsvector([{ text: "o'reilly \\ x", weight: 'A' }])).toBe("'o':1A 'reilly':2A 'x':3A");
  });
  it('keeps at most 64 positions of a lexeme, each with its own weight, and none past 16383', () => {
    const v = buildTsvector([
      { text: 'tenda '.repeat(40), weight: 'A' },
      { text: 'tenda '.repeat(40), weight: 'D' },
    ]);
    const ps = (v.match(/^'tenda':(.*)$/)?.[1] ?? '').split(',');
    expect(ps).toHaveLength(64);
    expect(ps.slice(0, 2)).toEqual(['1A', '2A']);
    expect(ps.slice(39, 42)).toEqual(['40A', '42D', '43D']);
    const long = buildTsvector([{ text: `${'w '.repeat(16382)}last after`, weight: 'B' }]);
    expect(long).toContain("'last':16383B");
    expect(long).not.toContain('after');
  });
  it('weights and positions lexemes', () => {
    expect(
      buildTsvector([
        { text: 'Tenda AC18', weight: 'A' },
        { text: 'router', weight: 'D' },
      ]),
    ).toBe("'tenda':1A 'ac18':2A 'router':4D");
  });
  it('indexes a 5 MB and a 50 MB run without a stack overflow, reading only as far as positions go', () => {
    for (const n of [5, 50]) {
      const huge = 'a'.repeat(n * 1024 * 1024);
      expect(buildTsvector([{ text: `first ${huge} last`, weight: 'C' }])).toBe("'first':1C 'last':2C");
      const zh = '缓冲区溢出'.repeat((n * 1024 * 1024) / 5);
      const v = buildTsvector([{ text: `${zh} tail`, weight: 'C' }]);
      expect(v.startsWith("'缓冲':1C,")).toBe(true);
      expect(v).not.toContain('tail'); // past the last position a tsvector holds
    }
  });
  it('keeps tokens whole across the windows a long text is read in', () => {
    const words = Array.from({ length: 40_000 }, (_, i) => `w${i}`).join(' ');
    const toks = tokenize(`${words} 缓冲区`).filter((t) => !t.part);
    expect(toks.length).toBe(40_002);
    expect(toks.slice(-3).map((t) => t.text)).toEqual(['w39999', '缓冲', '冲区']);
  });
  it('finds exactly the tokens TOKEN_RE (the specification) finds, in random text of every kind of character', () => {
    // what tokenize was when TOKEN_RE did the scanning (a text shorter than one window)
    const byRegex = (text: string): Token[] => {
      const out: Token[] = [];
      let pos = 1;
      let run = 0;
      for (const m of normaliseText(text).matchAll(TOKEN_RE)) {
        if (m[1] !== undefined) {
          run++;
          const chars = Array.from(m[1]);
          if (chars.length === 1) out.push({ text: m[1], pos: pos++, run });
          else
            for (let k = 0; k < chars.length - 1; k++)
              out.push({ text: `${chars[k]}${chars[k + 1]}`, pos: pos++, run });
          continue;
        }
        const word = m[2] ?? '';
        if (word.length > 64) continue;
        out.push({ text: word, pos });
        if (/[-_./]/.test(word))
          for (const p of word.split(/[-_./]/)) if (p) out.push({ text: p, pos, part: true });
        pos++;
      }
      return out;
    };
    // CJK, kana, hangul, ASCII, joiners, punctuation, accented and Cyrillic letters, full-width forms, Arabic-Indic
    // digits, circled numbers, a letter outside the BMP (𠀀 U+20000, not in a CJK range here), an emoji, lone surrogates
    const alphabet = [
      ...'漏洞缓冲区溢出かなカナ한국aZ09-_./ ,;:!\'"()（）。，éßжЯＡ１٣①',
      '𠀀',
      '😀',
      '\ud800',
      '\udc00',
      '\u00a0',
    ];
    let seed = 16;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let k = 0; k < 3000; k++) {
      const text = Array.from({ length: 1 + rand(40) }, () => alphabet[rand(alphabet.length)]).join('');
      expect(tokenize(text), JSON.stringify(text)).toEqual(byRegex(text));
    }
    expect(tokenize('x'.repeat(65) + ' ok-1')).toEqual(byRegex('x'.repeat(65) + ' ok-1'));
  });
});
