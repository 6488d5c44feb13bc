import { useContext, useEffect, useState } from 'react';
import { LangContext, useT } from '../i18n.js';
import { messageOf } from '../api.js';
import { call, client, type Answer, type Query } from '../api/client.js';
import { navigate } from '../main.js';
import { useVocabularies } from '../vocabularies.js';
import { Status, VulnRow, type VulnItem } from './bits.js';

type SearchResult = Answer<'searchVulnerabilities'>;
type SearchQuery = Query<'searchVulnerabilities'>;

const FACETS = ['severity', 'objectType', 'industry', 'vendor', 'exploited', 'zeroDay', 'kind'];
const LISTS = ['severity', 'objectType', 'industry', 'vendor', 'product', 'cwe', 'source'] as const;
const FLAGS = ['exploited', 'zeroDay', 'hasPatch'] as const;
const KINDS = { general: { zh: '通用型', en: 'General' }, event: { zh: '事件型', en: 'Event' } };

/** The page's URL query as the search operation's parameters (what it does not know is left out). */
function searchQuery(p: URLSearchParams): SearchQuery {
  const q: SearchQuery = {};
  const text = p.get('q');
  if (text) q.q = text;
  for (const k of LISTS) {
    const values = p.getAll(k).flatMap((v) => v.split(',').filter(Boolean));
    if (values.length) q[k] = values;
  }
  for (const k of FLAGS) {
    const v = p.get(k);
    if (v === 'true' || v === 'false') q[k] = v === 'true';
  }
  const kind = p.get('kind');
  if (kind === 'general' || kind === 'event') q.kind = kind;
  const sort = p.get('sort');
  if (sort === 'relevance' || sort === 'date' || sort === 'score') q.sort = sort;
  const limit = Number(p.get('limit'));
  q.limit = Number.isInteger(limit) && limit > 0 ? limit : 20;
  const cursor = p.get('cursor');
  if (cursor) q.cursor = cursor;
  return q;
}
const find = (query: SearchQuery) => call(client.GET('/api/v1/vulnerabilities', { params: { query } }));

/** The list: one search box, filters with facet counts, sorting, pages; the URL holds the query. */
export function List({ search }: { search: string }) {
  const t = useT();
  const { lang } = useContext(LangContext);
  const vocabularies = useVocabularies();
  const params = new URLSearchParams(search);
  const [q, setQ] = useState(params.get('q') ?? '');
  const [items, setItems] = useState<VulnItem[]>([]);
  const [result, setResult] = useState<SearchResult | null>(null);
  // the query whose results are on screen (the benchmark and tests wait for it)
  const [shown, setShown] = useState<string | null>(null);
  const [facets, setFacets] = useState<SearchResult['facets']>({});
  const [facetsEstimated, setFacetsEstimated] = useState(false);
  const [state, setState] = useState<{ loading: boolean; error: string | null }>({
    loading: true,
    error: null,
  });

  useEffect(() => setQ(new URLSearchParams(search).get('q') ?? ''), [search]);
  // results first, facet counts after: counting a broad query over the whole store takes longer than
  // finding its first page, and nobody should wait for the counts to see the results
  useEffect(() => {
    let live = true;
    const query = searchQuery(new URLSearchParams(search));
    setState({ loading: true, error: null });
    find(query)
      .then((r) => {
        if (!live) return;
        setResult(r);
        setItems(r.items ?? []);
        setShown(query.q ?? '');
        setState({ loading: false, error: null });
        // the counts' one row is not shown: asked by date, the cheapest order (relevance ranks 2,000 matches)
        return find({ ...query, cursor: undefined, limit: 1, sort: 'date', facets: FACETS }).then((x) => {
          if (!live) return;
          setFacets(x.facets ?? {});
          setFacetsEstimated(x.facetsAreEstimates === true);
        });
      })
      .catch((e: unknown) => live && setState({ loading: false, error: messageOf(e) }));
    return () => {
      live = false;
    };
  }, [search]);

  // typing: search 150 ms after the last keystroke (results are due 300 ms after typing stops)
  useEffect(() => {
    const current = new URLSearchParams(search).get('q') ?? '';
    if (q === current) return;
    const h = setTimeout(() => set({ q: q || null, cursor: null }), 150);
    return () => clearTimeout(h);
  });

  function set(changes: Record<string, string | null>) {
    const p = new URLSearchParams(search);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === '') p.delete(k);
      else p.set(k, v);
    }
    p.delete('cursor');
    navigate(`/vulnerabilities${p.toString() ? `?${p.toString()}` : ''}`);
  }
  async function more() {
    if (!result?.nextCursor) return;
    const r = await find({ ...searchQuery(new URLSearchParams(search)), cursor: result.nextCursor });
    setItems((x) => [...x, ...(r.items ?? [])]);
    setResult(r);
  }
  const label = (v: string) => {
    if (v === 'high' || v === 'medium' || v === 'low') return t(v);
    if (v === 'true') return t('yes');
    const table: Record<string, { zh: string; en: string }> = {
      ...vocabularies?.vulnerabilities.objectTypes,
      ...vocabularies?.vulnerabilities.industries,
      ...KINDS,
    };
    return table[v]?.[lang] ?? v;
  };
  const facet = (name: string, title: string) => {
    const values =
      facets?.[name]?.flatMap(({ value, count }) =>
        value === undefined || value === 'false' || value === 'null' || value === 'unknown'
          ? []
          : [{ value, count: count ?? 0 }],
      ) ?? [];
    if (!values.length) return null;
    const selected = params.get(name);
    return (
      <fieldset key={name}>
        <legend>{title}</legend>
        {values.slice(0, 8).map((f) => (
          <label key={f.value}>
            <input
              type="checkbox"
              checked={selected === f.value}
              onChange={() => set({ [name]: selected === f.value ? null : f.value })}
            />
            <span className="facet-label" title={label(f.value)}>
              {label(f.value)}
            </span>
            <span className="count" title={facetsEstimated ? t('facetsEstimated') : undefined}>
              {facetsEstimated ? '≈' : ''}
              {f.count}
            </span>
          </label>
        ))}
      </fieldset>
    );
  };
  return (
    <div className="listpage">
      <form
        className="search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          set({ q: q || null });
        }}
      >
        <input
          type="search"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          aria-label={t('search')}
          placeholder={t('searchPlaceholder')}
        />
        <select
          aria-label={t('sort')}
          value={params.get('sort') ?? ''}
          onChange={(e) => set({ sort: e.target.value || null })}
        >
          <option value="">{t('sort')}</option>
          <option value="relevance">{t('relevance')}</option>
          <option value="date">{t('date')}</option>
          <option value="score">{t('score')}</option>
        </select>
      </form>
      <div className="layout">
        <aside aria-label="filters">
          {facet('severity', t('severity'))}
          {facet('objectType', t('objectType'))}
          {facet('industry', t('industry'))}
          {facet('kind', t('kind'))}
          {facet('exploited', t('exploited'))}
          {facet('zeroDay', t('zeroDay'))}
          {facet('vendor', t('vendor'))}
        </aside>
        <section data-shown-query={state.loading ? undefined : (shown ?? undefined)}>
          {result && (
            <p className="total">
              {result.total}
              {result.totalIsExact ? '' : '+'} {t('results')}
            </p>
          )}
          <Status loading={state.loading} error={state.error} empty={!state.loading && items.length === 0} />
          <ul className="list">
            {items.map((v) => (
              <VulnRow key={v.id} v={v} />
            ))}
          </ul>
          {result?.nextCursor && (
            <button type="button" onClick={() => void more()}>
              {t('more')}
            </button>
          )}
        </section>
      </div>
    </div>
  );
}
