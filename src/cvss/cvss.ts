/**
 * CVSS v2 / v3.0 / v3.1 / v4.0 scoring with ae-cvss-calculator. The library is lenient with bad
 * vectors (it scores "CVSS:3.1/AV:N" as 0), so vectors are validated first against the metric table
 * below: every base metric present once with a defined value, no unknown metric.
 */
import { createRequire } from 'node:module';
import { AppError } from '../errors.js';
import type { Cvss, CvssInput, CvssVersion } from '../vulns/model.js';
import { severityFromScore } from './bands.js';

interface CalcScores {
  base?: number;
  temporal?: number;
  environmental?: number;
  overall?: number;
}
interface CalcVector {
  calculateScores(normalize?: boolean): CalcScores;
}
interface Calculator {
  Cvss2: new (v: string) => CalcVector;
  Cvss3P0: new (v: string) => CalcVector;
  Cvss3P1: new (v: string) => CalcVector;
  Cvss4P0: new (v: string) => CalcVector;
}
const calc = createRequire(import.meta.url)('ae-cvss-calculator') as Calculator;

const HLN = ['H', 'L', 'N'];
const V3_BASE: Record<string, string[]> = {
  AV: ['N', 'A', 'L', 'P'],
  AC: ['L', 'H'],
  PR: ['N', 'L', 'H'],
  UI: ['N', 'R'],
  S: ['U', 'C'],
  C: HLN,
  I: HLN,
  A: HLN,
};
const V3_OTHER: Record<string, string[]> = {
  E: ['X', 'H', 'F', 'P', 'U'],
  RL: ['X', 'U', 'W', 'T', 'O'],
  RC: ['X', 'C', 'R', 'U'],
  CR: ['X', 'H', 'M', 'L'],
  IR: ['X', 'H', 'M', 'L'],
  AR: ['X', 'H', 'M', 'L'],
  MAV: ['X', 'N', 'A', 'L', 'P'],
  MAC: ['X', 'L', 'H'],
  MPR: ['X', 'N', 'L', 'H'],
  MUI: ['X', 'N', 'R'],
  MS: ['X', 'U', 'C'],
  MC: ['X', ...HLN],
  MI: ['X', ...HLN],
  MA: ['X', ...HLN],
};

/** Metric → allowed values, per version: `base` must all be present. */
export const CVSS_METRICS: Record<
  CvssVersion,
  { base: Record<string, string[]>; other: Record<string, string[]> }
> = {
  '2.0': {
    base: {
      AV: ['L', 'A', 'N'],
      AC: ['H', 'M', 'L'],
      Au: ['M', 'S', 'N'],
      C: ['N', 'P', 'C'],
      I: ['N', 'P', 'C'],
      A: ['N', 'P', 'C'],
    },
    other: {
      E: ['U', 'POC', 'F', 'H', 'ND'],
      RL: ['OF', 'TF', 'W', 'U', 'ND'],
      RC: ['UC', 'UR', 'C', 'ND'],
      CDP: ['N', 'L', 'LM', 'MH', 'H', 'ND'],
      TD: ['N', 'L', 'M', 'H', 'ND'],
      CR: ['L', 'M', 'H', 'ND'],
      IR: ['L', 'M', 'H', 'ND'],
      AR: ['L', 'M', 'H', 'ND'],
    },
  },
  '3.0': { base: V3_BASE, other: V3_OTHER },
  '3.1': { base: V3_BASE, other: V3_OTHER },
  '4.0': {
    base: {
      AV: ['N', 'A', 'L', 'P'],
      AC: ['L', 'H'],
      AT: ['N', 'P'],
      PR: ['N', 'L', 'H'],
      UI: ['N', 'P', 'A'],
      VC: HLN,
      VI: HLN,
      VA: HLN,
      SC: HLN,
      SI: HLN,
      SA: HLN,
    },
    other: {
      E: ['X', 'A', 'P', 'U'],
      CR: ['X', 'H', 'M', 'L'],
      IR: ['X', 'H', 'M', 'L'],
      AR: ['X', 'H', 'M', 'L'],
      MAV: ['X', 'N', 'A', 'L', 'P'],
      MAC: ['X', 'L', 'H'],
      MAT: ['X', 'N', 'P'],
      MPR: ['X', 'N', 'L', 'H'],
      MUI: ['X', 'N', 'P', 'A'],
      MVC: ['X', ...HLN],
      MVI: ['X', ...HLN],
      MVA: ['X', ...HLN],
      MSC: ['X', ...HLN],
      MSI: ['X', 'S', ...HLN],
      MSA: ['X', 'S', ...HLN],
      S: ['X', 'N', 'P'],
      AU: ['X', 'N', 'Y'],
      R: ['X', 'A', 'U', 'I'],
      V: ['X', 'D', 'C'],
      RE: ['X', 'L', 'M', 'H'],
      U: ['X', 'Clear', 'Green', 'Amber', 'Red'],
    },
  },
};

const bad = (vector: string, message: string, metric?: string) =>
  new AppError('invalid_cvss_vector', `invalid CVSS vector "${vector}": ${message}`, {
    vector,
    ...(metric ? { metric } : {}),
  });

/** Version and metric parts of a vector; v2 vectors have no prefix (or "CVSS:2.0/", or parentheses). */
export function parseVector(input: string): {
  version: CvssVersion;
  body: string;
  metrics: Map<string, string>;
} {
  let v = input.trim();
  if (v.startsWith('(') && v.endsWith(')')) v = v.slice(1, -1);
  let version: CvssVersion;
  const m = /^CVSS:(\d\.\d)\//.exec(v);
  if (m) {
    const ver = m[1] as string;
    if (ver !== '2.0' && ver !== '3.0' && ver !== '3.1' && ver !== '4.0')
      throw bad(input, `unknown CVSS version ${ver}`);
    version = ver;
    v = v.slice(m[0].length);
  } else if (/^AV:[LAN]\/AC:/.test(v) && v.includes('Au:')) version = '2.0';
  else throw bad(input, 'no CVSS version prefix (CVSS:3.1/…, CVSS:4.0/…) and not a v2 vector');
  const table = CVSS_METRICS[version];
  const metrics = new Map<string, string>();
  for (const part of v.split('/')) {
    const [k, val, ...rest] = part.split(':');
    if (!k || val === undefined || rest.length > 0) throw bad(input, `"${part}" is not METRIC:VALUE`, part);
    const allowed = table.base[k] ?? table.other[k];
    if (!allowed) throw bad(input, `unknown metric ${k} for CVSS ${version}`, k);
    if (!allowed.includes(val))
      throw bad(input, `${k}:${val} is not a defined value (allowed: ${allowed.join(', ')})`, k);
    if (metrics.has(k)) throw bad(input, `metric ${k} appears twice`, k);
    metrics.set(k, val);
  }
  for (const k of Object.keys(table.base))
    if (!metrics.has(k)) throw bad(input, `base metric ${k} is missing`, k);
  return { version, body: v, metrics };
}

function calculator(version: CvssVersion, vector: string): CalcVector {
  switch (version) {
    case '2.0':
      return new calc.Cvss2(vector);
    case '3.0':
      return new calc.Cvss3P0(vector);
    case '3.1':
      return new calc.Cvss3P1(vector);
    case '4.0':
      return new calc.Cvss4P0(vector);
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export interface FullScores {
  version: CvssVersion;
  base: number;
  /** v2: null unless a temporal metric is given; v3: always defined (unset metrics count as X). */
  temporal: number | null;
  /** v2: null unless an environmental metric is given; v3: always defined. */
  environmental: number | null;
  /** v4.0: the CVSS-B/BT/BE/BTE score of the vector as given. */
  overall: number;
}

/** CVSS v2 temporal multipliers (spec §3.2.2); ND = 1. */
const V2_TEMPORAL: Record<string, Record<string, number>> = {
  E: { U: 0.85, POC: 0.9, F: 0.95, H: 1, ND: 1 },
  RL: { OF: 0.87, TF: 0.9, W: 0.95, U: 1, ND: 1 },
  RC: { UC: 0.9, UR: 0.95, C: 1, ND: 1 },
};
/** Round to one decimal after removing binary noise (9.0 × 0.95 is 8.549999… in floating point, 8.55 in the spec). */
const round1Exact = (n: number) => Math.round(Number(n.toFixed(9)) * 10) / 10;

/**
 * Scores by vector text. An import scores every vector of every record, and most records share a few hundred
 * vectors, so the calculator runs once per distinct vector (bounded: the map starts over past its size).
 */
const SCORED = new Map<string, Readonly<FullScores>>();
const SCORED_MAX = 20_000;

export function scoreCvssFull(vector: string): FullScores {
  const hit = SCORED.get(vector);
  if (hit) return { ...hit };
  const full = computeFull(vector);
  if (SCORED.size >= SCORED_MAX) SCORED.clear();
  SCORED.set(vector, Object.freeze({ ...full }));
  return full;
}

function computeFull(vector: string): FullScores {
  const { version, body, metrics } = parseVector(vector);
  let libVector = version === '2.0' ? body : `CVSS:${version}/${body}`;
  // v3: temporal and environmental scores are always defined (unset metrics count as X). The library
  // leaves them out unless a metric of their group is set; MAV equal to AV changes nothing and makes it compute.
  if ((version === '3.0' || version === '3.1') && !metrics.has('MAV'))
    libVector += `/MAV:${metrics.get('AV') ?? 'X'}`;
  const s = calculator(version, libVector).calculateScores();
  const base = version === '4.0' ? (s.overall ?? s.base) : s.base;
  if (base === undefined || Number.isNaN(base)) throw bad(vector, 'could not be scored');
  let temporal = s.temporal === undefined ? null : round1(s.temporal);
  if (version === '2.0' && temporal !== null) {
    const f = (k: string) => V2_TEMPORAL[k]?.[metrics.get(k) ?? 'ND'] ?? 1;
    temporal = round1Exact(base * f('E') * f('RL') * f('RC'));
  }
  if ((version === '3.0' || version === '3.1') && temporal === null) temporal = round1(base);
  return {
    version,
    base: round1(version === '4.0' ? (s.base ?? base) : base),
    temporal,
    environmental: s.environmental === undefined ? null : round1(s.environmental),
    overall: round1(s.overall ?? base),
  };
}

/** Score one vector: its version, base score (v4.0: the score of the vector as given) and band. */
export function scoreCvss(input: CvssInput): Cvss {
  const full = scoreCvssFull(input.vector);
  const baseScore = full.version === '4.0' ? full.overall : full.base;
  return {
    vector: input.vector.trim(),
    ...(input.provider ? { provider: input.provider } : {}),
    version: full.version,
    baseScore,
    severity: severityFromScore(baseScore),
  };
}
