/**
 * Indicator ↔ STIX patterning (STIX 2.1 §9): one comparison expression per indicator, as a table.
 */
import type { IndicatorType } from './indicators.js';

/** The object path each indicator type is compared on. cert-thumbprint depends on its length. */
const PATHS: Readonly<Record<Exclude<IndicatorType, 'cert-thumbprint'>, string>> = {
  ipv4: 'ipv4-addr:value',
  ipv6: 'ipv6-addr:value',
  domain: 'domain-name:value',
  url: 'url:value',
  email: 'email-addr:value',
  md5: 'file:hashes.MD5',
  sha1: "file:hashes.'SHA-1'",
  sha256: "file:hashes.'SHA-256'",
  sha512: "file:hashes.'SHA-512'",
  'cert-serial': 'x509-certificate:serial_number',
};
const THUMBPRINT_PATHS = {
  40: "x509-certificate:hashes.'SHA-1'",
  64: "x509-certificate:hashes.'SHA-256'",
} as const;

const quote = (v: string): string => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const unquote = (v: string): string => v.replace(/\\(['\\])/g, '$1');

export function stixPattern(type: IndicatorType, value: string): string {
  const path = type === 'cert-thumbprint' ? THUMBPRINT_PATHS[value.length === 64 ? 64 : 40] : PATHS[type];
  return `[${path} = ${quote(value)}]`;
}

const SIMPLE = /^\[\s*([a-z0-9-]+:[A-Za-z0-9_.'-]+)\s*=\s*'((?:[^'\\]|\\.)*)'\s*\]$/;

/** Reads back a single-comparison pattern of the forms stixPattern writes; undefined for anything else. */
export function indicatorFromPattern(pattern: string): { type: IndicatorType; value: string } | undefined {
  const m = SIMPLE.exec(pattern.trim());
  if (!m) return undefined;
  const [, path = '', quoted = ''] = m;
  const value = unquote(quoted);
  const normalisedPath = path.replace(/hashes\.(SHA-?\d+|MD5)$/i, (_, alg: string) => {
    const a = alg.toUpperCase().replace(/^SHA(\d)/, 'SHA-$1');
    return a === 'MD5' ? 'hashes.MD5' : `hashes.'${a}'`;
  });
  const type = (Object.keys(PATHS) as Array<keyof typeof PATHS>).find((t) => PATHS[t] === normalisedPath);
  if (type) return { type, value };
  if (Object.values(THUMBPRINT_PATHS).some((p) => p === normalisedPath))
    return { type: 'cert-thumbprint', value };
  return undefined;
}
