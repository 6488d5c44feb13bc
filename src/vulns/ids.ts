/** Identifier syntax for the aliases the platform understands. Rules are data. */
export const ID_PATTERNS: ReadonlyArray<{ scheme: string; pattern: RegExp }> = [
  { scheme: 'CNVD', pattern: /^CNVD-\d{4}-\d{4,6}$/ },
  { scheme: 'CNVD-C', pattern: /^CNVD-C-\d{4}-\d{4,7}$/ },
  { scheme: 'CVE', pattern: /^CVE-\d{4}-\d{4,7}$/ },
  { scheme: 'BID', pattern: /^BID-\d{1,7}$/ },
  { scheme: 'EDB', pattern: /^EDB-\d{1,7}$/ },
  { scheme: 'GHSA', pattern: /^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/ },
  { scheme: 'CNNVD', pattern: /^CNNVD-\d{6}-\d{3,5}$/ },
];

/** Normalise an id as users type it: trim, upper-case the scheme ("cve-2024-1" → "CVE-2024-1"). */
export function normaliseId(raw: string): string {
  const s = raw.trim();
  if (/^ghsa-/i.test(s)) return 'GHSA' + s.slice(4).toLowerCase();
  return s.toUpperCase();
}

export function idScheme(id: string): string | null {
  for (const { scheme, pattern } of ID_PATTERNS) if (pattern.test(id)) return scheme;
  return null;
}

export function looksLikeId(text: string): boolean {
  return idScheme(normaliseId(text)) !== null;
}
