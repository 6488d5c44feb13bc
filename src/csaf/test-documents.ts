/** Test support: a small valid CSAF 2.0 VEX document (one vendor, one product, one vulnerability). */

export interface SmallVex {
  document: Record<string, unknown> & { title: string };
  product_tree: Record<string, unknown>;
  vulnerabilities: Array<Record<string, unknown>>;
}

export function smallVex(o: { id: string; cve: string; revisions?: number; title?: string }): SmallVex {
  const n = o.revisions ?? 1;
  const history = Array.from({ length: n }, (_, i) => ({
    date: `2024-01-0${i + 1}T00:00:00.000Z`,
    number: String(i + 1),
    summary: i === 0 ? 'Initial version.' : `Revision ${i + 1}.`,
  }));
  return {
    document: {
      category: 'csaf_vex',
      csaf_version: '2.0',
      lang: 'en',
      title: o.title ?? `Example VEX for ${o.cve}`,
      distribution: { tlp: { label: 'WHITE', url: 'https://www.first.org/tlp/' } },
      notes: [{ category: 'summary', text: 'A small VEX document for tests.' }],
      publisher: { category: 'vendor', name: 'Example PSIRT', namespace: 'https://psirt.example.com' },
      tracking: {
        id: o.id,
        status: 'final',
        version: String(n),
        initial_release_date: '2024-01-01T00:00:00.000Z',
        current_release_date: history.at(-1)?.date ?? '2024-01-01T00:00:00.000Z',
        revision_history: history,
      },
    },
    product_tree: {
      branches: [
        {
          category: 'vendor',
          name: 'Example Company',
          branches: [
            {
              category: 'product_name',
              name: 'Example Server',
              branches: [
                {
                  category: 'product_version',
                  name: '2.4.1',
                  product: {
                    name: 'Example Company Example Server 2.4.1',
                    product_id: 'CSAFPID-0001',
                    product_identification_helper: {
                      cpe: 'cpe:2.3:a:example:example_server:2.4.1:*:*:*:*:*:*:*',
                      purl: 'pkg:maven/com.example/example-server@2.4.1',
                    },
                  },
                },
              ],
            },
          ],
        },
      ],
    },
    vulnerabilities: [
      {
        cve: o.cve,
        notes: [{ category: 'description', text: `The server is affected by ${o.cve}.` }],
        product_status: { known_affected: ['CSAFPID-0001'] },
        remediations: [
          {
            category: 'vendor_fix',
            details: 'Upgrade to 2.4.2.',
            url: 'https://example.com/fix',
            product_ids: ['CSAFPID-0001'],
          },
        ],
      },
    ],
  };
}
