/**
 * The password rule, wherever a password is set (registration, admin and CLI user creation, any later
 * password change): 12–256 characters, not blank, and not guessable — zxcvbn's estimate with its common and
 * English dictionaries (common and breached passwords, names, words, keyboard patterns, dates), the account's
 * own e-mail and name counted as known words. The dictionaries load once, on first use (~0.2 s); a check
 * takes a few milliseconds, and is bounded for hostile input (see estimateLength).
 */
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

export const PASSWORD_RULES = {
  minLength: 12,
  maxLength: 256,
  /** zxcvbn's score 0–4; 3 is "safely unguessable: moderate protection from an offline slow-hash attack". */
  minScore: 3,
  /**
   * zxcvbn's cost grows fast with length and with l33t substitutions (a 256-character repeat took seconds): it
   * looks at the first 64 characters (a password whose first 64 are strong is strong) and tries at most 16
   * substitutions, so one check stays within a few argon2 hashes even for a hostile input.
   */
  estimateLength: 64,
  l33tMaxSubstitutions: 16,
} as const;

export interface PasswordProblem {
  /** For logs and users: "password …", naming the field and why. */
  message: string;
  /** zxcvbn's warning and suggestions when the password is guessable. */
  warning: string | null;
  suggestions: string[];
  score: number | null;
}

let estimator: Promise<ZxcvbnFactory> | null = null;
function zxcvbn(): Promise<ZxcvbnFactory> {
  estimator ??= (async () => {
    const [{ ZxcvbnFactory }, common, en] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
      import('@zxcvbn-ts/language-en'),
    ]);
    return new ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...en.dictionary },
      graphs: common.adjacencyGraphs,
      translations: en.translations,
      maxLength: PASSWORD_RULES.estimateLength,
      l33tMaxSubstitutions: PASSWORD_RULES.l33tMaxSubstitutions,
    });
  })();
  return estimator;
}

/** What is wrong with `password`, or null when it may be used. */
export async function checkPassword(
  password: string,
  account: { email?: string; displayName?: string } = {},
): Promise<PasswordProblem | null> {
  const plain = (message: string): PasswordProblem => ({
    message: `password ${message}`,
    warning: null,
    suggestions: [],
    score: null,
  });
  if (!password.trim()) return plain('must not be blank or only spaces');
  if (password.length < PASSWORD_RULES.minLength)
    return plain(`must be at least ${PASSWORD_RULES.minLength} characters long`);
  if (password.length > PASSWORD_RULES.maxLength)
    return plain(`must be at most ${PASSWORD_RULES.maxLength} characters long`);
  const known = [account.email, account.email?.split('@')[0], account.displayName].filter(
    (w): w is string => !!w?.trim(),
  );
  const r = (await zxcvbn()).check(password, known);
  if (r.score >= PASSWORD_RULES.minScore) return null;
  const { warning, suggestions } = r.feedback;
  const why = [warning, ...suggestions].filter((s): s is string => !!s).join(' ');
  return {
    message: `password is too easy to guess (strength ${r.score} of 4, needs ${PASSWORD_RULES.minScore})${why ? `. ${why}` : ''}`,
    warning: warning ?? null,
    suggestions,
    score: r.score,
  };
}

/** The problem's message, or null: the short form for callers that only show text. */
export async function passwordProblem(
  password: string,
  account: { email?: string; displayName?: string } = {},
): Promise<string | null> {
  return (await checkPassword(password, account))?.message ?? null;
}
