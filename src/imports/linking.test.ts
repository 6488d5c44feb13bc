import { describe, expect, it } from 'vitest';
import { planLinks, type LinkInput, type StoreSnapshot } from './linking.js';

const empty = (): StoreSnapshot => ({
  aliasToVulns: new Map(),
  identityOf: new Map(),
  linksOf: new Map(),
  enrichmentByKey: new Map(),
});
const ids = () => {
  let n = 100;
  return () => ++n;
};

describe('cross-source linking', () => {
  it('gives each CNVD record its own vulnerability', () => {
    const batch: LinkInput[] = [
      { srId: 1, source: 'cnvd', key: 'CNVD-2022-1', aliases: ['CNVD-2022-1', 'CVE-2022-9'] },
      { srId: 2, source: 'cnvd', key: 'CNVD-2022-2', aliases: ['CNVD-2022-2', 'CVE-2022-9'] },
    ];
    const p = planLinks(batch, empty(), ids());
    expect(p.created.size).toBe(2);
    expect(p.links).toEqual([
      { vulnId: 101, srId: 1 },
      { vulnId: 102, srId: 2 },
    ]);
  });

  it('attaches a CVE record to every CNVD record citing it', () => {
    const snap = empty();
    snap.aliasToVulns.set('CVE-2022-9', [101, 102]);
    snap.identityOf.set(101, 'cnvd:A').set(102, 'cnvd:B');
    const p = planLinks(
      [{ srId: 3, source: 'cve', key: 'CVE-2022-9', aliases: ['CVE-2022-9'] }],
      snap,
      ids(),
    );
    expect(p.created.size).toBe(0);
    expect(p.links).toEqual([
      { vulnId: 101, srId: 3 },
      { vulnId: 102, srId: 3 },
    ]);
  });

  it('lets a CNVD record join the stand-alone CVE vulnerability it cites, and link its KEV entry', () => {
    const snap = empty();
    snap.aliasToVulns.set('CVE-2022-9', [7]);
    snap.identityOf.set(7, null);
    snap.enrichmentByKey.set('CVE-2022-9', [50, 51]);
    const p = planLinks(
      [{ srId: 1, source: 'cnvd', key: 'CNVD-2022-1', aliases: ['CNVD-2022-1', 'CVE-2022-9'] }],
      snap,
      ids(),
    );
    expect(p.created.size).toBe(0);
    expect(p.identities.get(7)).toBe('cnvd:CNVD-2022-1');
    // the CVE and KEV records are (re)linked to the target; the store ignores links it already has
    expect(p.links).toEqual([
      { vulnId: 7, srId: 1 },
      { vulnId: 7, srId: 50 },
      { vulnId: 7, srId: 51 },
    ]);
  });

  it('absorbs a second stand-alone vulnerability cited by the same CNVD record', () => {
    const snap = empty();
    snap.aliasToVulns.set('CVE-1', [7]).set('CVE-2', [8]);
    snap.identityOf.set(7, null).set(8, null);
    const p = planLinks(
      [{ srId: 1, source: 'cnvd', key: 'CNVD-X', aliases: ['CNVD-X', 'CVE-1', 'CVE-2'] }],
      snap,
      ids(),
    );
    expect(p.absorbed.get(8)).toBe(7);
    expect([...p.affected]).toEqual([7]);
  });

  it('creates a stand-alone vulnerability for a CVE nobody cites, once', () => {
    const p = planLinks(
      [
        { srId: 3, source: 'cve', key: 'CVE-1', aliases: ['CVE-1'] },
        { srId: 4, source: 'kev', key: 'CVE-1', aliases: ['CVE-1'] },
      ],
      empty(),
      ids(),
    );
    expect(p.created).toEqual(new Map([[101, null]]));
    expect(p.links).toEqual([
      { vulnId: 101, srId: 3 },
      { vulnId: 101, srId: 4 },
    ]);
  });

  it('re-merges every vulnerability a changed enrichment record is already linked to', () => {
    const snap = empty();
    snap.aliasToVulns.set('CVE-2022-9', [101]);
    snap.identityOf.set(101, 'cnvd:A');
    snap.linksOf.set(3, [101]);
    const p = planLinks(
      [{ srId: 3, source: 'cve', key: 'CVE-2022-9', aliases: ['CVE-2022-9'] }],
      snap,
      ids(),
    );
    expect(p.links).toEqual([]);
    expect(Array.from(p.affected)).toEqual([101]);
  });

  it('attaches a CSAF record by its anchor (its CVE id), not by its key', () => {
    const snap = empty();
    snap.aliasToVulns.set('CVE-2022-9', [101, 102]);
    snap.identityOf.set(101, 'cnvd:A').set(102, 'cnvd:B');
    const p = planLinks(
      [
        {
          srId: 4,
          source: 'csaf',
          key: 'https://psirt.example.com/EX-1#CVE-2022-9',
          aliases: ['CVE-2022-9'],
          anchor: 'CVE-2022-9',
        },
      ],
      snap,
      ids(),
    );
    expect(p.links).toEqual([
      { vulnId: 101, srId: 4 },
      { vulnId: 102, srId: 4 },
    ]);
  });
});
