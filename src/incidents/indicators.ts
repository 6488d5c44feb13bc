/**
 * Indicators of compromise: one validator + normaliser per type, as a table. Analysts paste defanged values
 * (`hxxp://evil[.]com`, `1.2.3[.]4`, `user[at]evil[.]com`); those are accepted and refanged.
 */
import { isIPv4, isIPv6 } from 'node:net';

export const INDICATOR_TYPES = [
  'ipv4',
  'ipv6',
  'domain',
  'url',
  'md5',
  'sha1',
  'sha256',
  'sha512',
  'cert-serial',
  'cert-thumbprint',
  'email',
] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];

export type Parsed = { ok: true; value: string } | { ok: false; message: string };

const DEFANG_RULES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\[:\]/g, ':'],
  [/\[\/\]/g, '/'],
  [/^hxxp(s?):\/\//i, 'http$1://'],
  [/^fxp:\/\//i, 'ftp://'],
  [/\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)/gi, '.'],
  [/\[at\]|\(at\)|\[@\]|\{at\}/gi, '@'],
];

/** Undo common defanging. Returns the refanged text and whether anything changed. */
export function refang(raw: string): { value: string; defanged: boolean } {
  let value = raw.trim();
  for (const [re, replacement] of DEFANG_RULES) value = value.replace(re, replacement);
  return { value, defanged: value !== raw.trim() };
}

const ok = (value: string): Parsed => ({ ok: true, value });
const bad = (message: string): Parsed => ({ ok: false, message });
const DEFANG_HINT = 'defanged forms such as 1.2.3[.]4 or hxxp://evil[.]com are accepted';

function parseIpv4(v: string): Parsed {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(v) && v.split('.').some((o) => o.length > 1 && o.startsWith('0')))
    return bad(
      'is an IPv4 address with leading zeros, which some tools read as octal; write 10.0.0.1, not 010.0.0.01',
    );
  if (!isIPv4(v)) return bad(`is not an IPv4 address (${DEFANG_HINT})`);
  return ok(v);
}

function parseIpv6(v: string): Parsed {
  const bare = v.replace(/^\[|\]$/g, '');
  if (bare.includes('%')) return bad('is an IPv6 address with a zone id, which is local to one host');
  if (!isIPv6(bare)) return bad(`is not an IPv6 address (${DEFANG_HINT})`);
  // The WHATWG URL parser serialises IPv6 hosts in RFC 5952 form: lower case, longest zero run compressed.
  return ok(new URL(`http://[${bare}]/`).hostname.slice(1, -1));
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
function parseDomain(v: string): Parsed {
  const trimmed = v.replace(/\.$/, '');
  if (isIPv4(trimmed) || isIPv6(trimmed))
    return bad('is an IP address, not a domain name; use type ipv4 or ipv6');
  if (/[\s/:@?#]/.test(trimmed) || !trimmed.includes('.'))
    return bad(`is not a domain name (${DEFANG_HINT})`);
  let host: string;
  try {
    host = new URL(`http://${trimmed}/`).hostname; // lower-cases and converts IDNs to punycode
  } catch {
    return bad(`is not a domain name (${DEFANG_HINT})`);
  }
  const labels = host.split('.');
  const tld = labels[labels.length - 1] ?? '';
  if (host.length > 253 || !labels.every((l) => LABEL.test(l)) || !/^([a-z]{2,63}|xn--[a-z0-9-]+)$/.test(tld))
    return bad(`is not a domain name (${DEFANG_HINT})`);
  return ok(host);
}

const URL_SCHEMES = new Set(['http:', 'https:', 'ftp:', 'ftps:', 'ws:', 'wss:']);
function parseUrl(v: string): Parsed {
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return bad(`is not an absolute URL (${DEFANG_HINT})`);
  }
  if (!URL_SCHEMES.has(url.protocol))
    return bad(`has scheme ${url.protocol} — expected http, https, ftp or ws`);
  if (!url.hostname) return bad('has no host');
  return ok(url.href);
}

const hexOf =
  (bits: number, name: string) =>
  (v: string): Parsed =>
    new RegExp(`^[0-9a-f]{${bits / 4}}$`, 'i').test(v)
      ? ok(v.toLowerCase())
      : bad(`is not a ${name} hash (${bits / 4} hexadecimal digits)`);

function stripHexSeparators(v: string): string {
  return v.replace(/^0x/i, '').replace(/[:\s-]/g, '');
}

function parseCertSerial(v: string): Parsed {
  const hex = stripHexSeparators(v);
  // RFC 5280 §4.1.2.2: at most 20 octets.
  if (!/^[0-9a-f]{1,40}$/i.test(hex)) return bad('is not a certificate serial number (up to 20 hex octets)');
  return ok(hex.toLowerCase());
}

function parseCertThumbprint(v: string): Parsed {
  const hex = stripHexSeparators(v);
  if (!/^([0-9a-f]{40}|[0-9a-f]{64})$/i.test(hex))
    return bad('is not a certificate thumbprint (SHA-1: 40 or SHA-256: 64 hex digits, colons allowed)');
  return ok(hex.toLowerCase());
}

function parseEmail(v: string): Parsed {
  const at = v.lastIndexOf('@');
  const local = v.slice(0, at);
  if (at < 1 || !/^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}$/.test(local) || /^\.|\.$|\.\./.test(local))
    return bad('is not an e-mail address (defanged forms such as user[at]evil[.]com are accepted)');
  const domain = parseDomain(v.slice(at + 1));
  if (!domain.ok) return bad(`is not an e-mail address: its domain ${domain.message}`);
  return ok(`${local}@${domain.value}`);
}

/** One row per type: how to check and normalise a (refanged) value. */
export const INDICATOR_RULES: Readonly<Record<IndicatorType, { en: string; parse: (v: string) => Parsed }>> =
  {
    ipv4: { en: 'IPv4 address', parse: parseIpv4 },
    ipv6: { en: 'IPv6 address', parse: parseIpv6 },
    domain: { en: 'Domain name', parse: parseDomain },
    url: { en: 'URL', parse: parseUrl },
    md5: { en: 'MD5 file hash', parse: hexOf(128, 'MD5') },
    sha1: { en: 'SHA-1 file hash', parse: hexOf(160, 'SHA-1') },
    sha256: { en: 'SHA-256 file hash', parse: hexOf(256, 'SHA-256') },
    sha512: { en: 'SHA-512 file hash', parse: hexOf(512, 'SHA-512') },
    'cert-serial': { en: 'Certificate serial number', parse: parseCertSerial },
    'cert-thumbprint': { en: 'Certificate thumbprint', parse: parseCertThumbprint },
    email: { en: 'E-mail address', parse: parseEmail },
  };

export function isIndicatorType(t: unknown): t is IndicatorType {
  return typeof t === 'string' && (INDICATOR_TYPES as readonly string[]).includes(t);
}

/** Validate and normalise one value of a known type (defanged input accepted). */
export function parseIndicator(type: IndicatorType, raw: string): Parsed {
  if (!raw.trim()) return bad('is empty');
  return INDICATOR_RULES[type].parse(refang(raw).value);
}

/** Order matters: a URL contains a domain, an e-mail contains a domain, a SHA-1 looks like a thumbprint. */
const DETECTION_ORDER: readonly IndicatorType[] = [
  'url',
  'email',
  'ipv4',
  'ipv6',
  'md5',
  'sha1',
  'sha256',
  'sha512',
  'domain',
];

/**
 * Guess the type of one pasted value (a line of an analyst's list). Colon-separated hex of 20 or 32 octets is a
 * certificate thumbprint; plain hex goes by length (32 md5, 40 sha1, 64 sha256, 128 sha512). Certificate serial
 * numbers cannot be told from other hex and are never guessed.
 */
export function detectIndicatorType(value: string): IndicatorType | undefined {
  const v = refang(value).value;
  if (!v) return undefined;
  if (/^[0-9a-f]{2}(:[0-9a-f]{2})+$/i.test(v))
    return parseCertThumbprint(v).ok ? 'cert-thumbprint' : undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return parseUrl(v).ok ? 'url' : undefined;
  return DETECTION_ORDER.find((t) => INDICATOR_RULES[t].parse(v).ok);
}
