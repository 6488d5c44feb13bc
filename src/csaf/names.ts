/**
 * What a CSAF provider needs of a document besides its content: the file name CSAF's naming rule gives its
 * tracking id (section 5.1), the bytes that are hashed and signed, and where it lives in a directory
 * distribution (`<tlp>/<year of initial release>/<file name>`, section 7.1.11).
 */

/**
 * The file name of a document (CSAF 2.0 section 5.1): the tracking id in lower case, every run of characters
 * other than `+`, `-`, a–z and 0–9 replaced by one `_`, then `.json` — "OASIS_CSAF_TC-CSAF_2.0-2021-5-1-11"
 * → "oasis_csaf_tc-csaf_2_0-2021-5-1-11.json". (`+` is kept: the rule's own character class admits it.)
 */
export function csafFileName(trackingId: string): string {
  return `${trackingId.toLowerCase().replace(/[^+\-a-z0-9]+/g, '_')}.json`;
}

/**
 * The bytes of a document as vulnshare serves, hashes and signs them: JSON with two-space indentation and a
 * final newline, keys in the order the writer builds them (so the same record gives the same bytes).
 */
export function csafBytes(doc: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(doc, null, 2)}\n`, 'utf8');
}

/** TLP labels of CSAF 2.0 (TLP 1.0: WHITE is what TLP 2.0 calls CLEAR). */
export const CSAF_TLP_LABELS = ['WHITE', 'GREEN', 'AMBER', 'RED'] as const;
export type CsafTlp = (typeof CSAF_TLP_LABELS)[number];

/** A document's place in a directory distribution: `white/2022/cnvd-2022-06883.json`. */
export function csafDirectoryPath(doc: {
  document: {
    tracking: { id: string; initial_release_date: string };
    distribution?: { tlp?: { label?: string } };
  };
}): string {
  const tlp = (doc.document.distribution?.tlp?.label ?? 'WHITE').toLowerCase();
  const year = doc.document.tracking.initial_release_date.slice(0, 4);
  return `${tlp}/${year}/${csafFileName(doc.document.tracking.id)}`;
}
