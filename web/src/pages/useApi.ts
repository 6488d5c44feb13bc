import { useEffect, useState } from 'react';
import { api } from '../api.js';

/** Fetch JSON for a path; re-fetches when the path changes; keeps the last data while loading. */
export function useApi<T>(path: string | null) {
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean }>({
    data: null,
    error: null,
    loading: !!path,
  });
  useEffect(() => {
    if (!path) return;
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    api<T>(path).then(
      (data) => live && setState({ data, error: null, loading: false }),
      (e: unknown) =>
        live && setState({ data: null, error: e instanceof Error ? e.message : String(e), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [path]);
  return state;
}

/**
 * A keyset-paged list (`{ items, nextCursor }` answers): the first page for `path`, then `more()` appends the
 * next one. Starts over when the path changes. `first` is the first answer (it carries any summary).
 */
export function usePages<I, T extends { items: I[]; nextCursor: string | null }>(path: string | null) {
  const first = useApi<T>(path);
  const [extra, setExtra] = useState<{ for: string | null; items: I[]; cursor: string | null }>({
    for: null,
    items: [],
    cursor: null,
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const mine = extra.for === path && first.data !== null;
  const items = first.data ? [...first.data.items, ...(mine ? extra.items : [])] : [];
  const cursor = mine ? extra.cursor : (first.data?.nextCursor ?? null);
  const more = () => {
    if (!path || !cursor || busy) return;
    setBusy(true);
    setError(null);
    const sep = path.includes('?') ? '&' : '?';
    api<T>(`${path}${sep}cursor=${encodeURIComponent(cursor)}`).then(
      (page) => {
        setExtra({
          for: path,
          items: [...(mine ? extra.items : []), ...page.items],
          cursor: page.nextCursor,
        });
        setBusy(false);
      },
      (e: unknown) => {
        setError(e instanceof Error ? e.message : String(e));
        setBusy(false);
      },
    );
  };
  return {
    first,
    items,
    hasMore: !!cursor,
    more,
    loading: first.loading || busy,
    error: first.error ?? error,
  };
}
