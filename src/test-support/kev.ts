/** Test support: a small, valid CISA KEV catalogue (JSON) with n entries, made up but shaped like the real one. */
export function kevCatalogue(n: number, version = '2025.03.01'): Buffer {
  const vulnerabilities = Array.from({ length: n }, (_, i) => ({
    cveID: `CVE-2024-${String(10001 + i)}`,
    vendorProject: 'D-Link',
    product: 'DIR-823G',
    vulnerabilityName: `D-Link DIR-823G Buffer Overflow Vulnerability ${i + 1}`,
    dateAdded: '2025-02-20',
    shortDescription: 'D-Link DIR-823G contains a buffer overflow vulnerability in its web interface.',
    requiredAction: 'Apply mitigations per vendor instructions or discontinue use of the product.',
    dueDate: '2025-03-13',
    knownRansomwareCampaignUse: 'Unknown',
    notes: 'https://www.dlink.com/en/security-bulletin/',
    cwes: ['CWE-120'],
  }));
  return Buffer.from(
    JSON.stringify({
      title: 'CISA Catalog of Known Exploited Vulnerabilities',
      catalogVersion: version,
      dateReleased: '2025-03-01T00:00:00.000Z',
      count: n,
      vulnerabilities,
    }),
  );
}
