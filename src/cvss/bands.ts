/** Severity bands and which CVSS version is the record's primary score. Data an analyst may tune. */
import type { Cvss, CvssVersion, Severity } from '../vulns/model.js';

/** The platform's three ratings (高/中/低), lowest score of each band; 0.0 counts as low. */
export const SEVERITY_BANDS: ReadonlyArray<{ severity: Severity; min: number }> = [
  { severity: 'high', min: 7.0 },
  { severity: 'medium', min: 4.0 },
  { severity: 'low', min: 0 },
];

export function severityFromScore(score: number, bands = SEVERITY_BANDS): Severity {
  for (const b of bands) if (score >= b.min) return b.severity;
  return 'low';
}

/**
 * Which vector gives a record its score when sources give several: the first version in this list
 * that is present (v3.x is what most sources and CNVD's peers rate with); among vectors of that
 * version, the highest score.
 */
export const CVSS_PREFERENCE: readonly CvssVersion[] = ['3.1', '3.0', '4.0', '2.0'];

export function primaryCvss(list: Cvss[], preference = CVSS_PREFERENCE): Cvss | undefined {
  for (const v of preference) {
    const of = list.filter((c) => c.version === v);
    if (of.length > 0) return of.reduce((a, b) => (b.baseScore > a.baseScore ? b : a));
  }
  return undefined;
}
