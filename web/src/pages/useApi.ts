import { useEffect, useRef, useState } from 'react';
import { ApiError, messageOf } from '../api.js';

export interface Loaded<T> {
  data: T | null;
  /** the message to show (the server's, in the reader's language) */
  error: string | null;
  /** the server's error code (`not_found` …), when the call was refused */
  code: string | null;
  loading: boolean;
}

/**
 * Load something through the API client: `load` runs again whenever `key` changes (a null key: nothing to
 * load yet); the last data stays on screen while the next loads.
 * `useLoad(`stats:${weeks}`, () => call(client.GET('/api/v1/stats', { params: { query: { weeks } } })))`.
 */
export function useLoad<T>(key: string | null, load: () => Promise<T>): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ data: null, error: null, code: null, loading: !!key });
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    if (key === null) return;
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null, code: null }));
    latest.current().then(
      (data) => live && setState({ data, error: null, code: null, loading: false }),
      (e: unknown) =>
        live &&
        setState({
          data: null,
          error: messageOf(e),
          code: e instanceof ApiError ? e.code : null,
          loading: false,
        }),
    );
    return () => {
      live = false;
    };
  }, [key]);
  return state;
}

/**
 * A keyset-paged list (`{ items, nextCursor }` answers): the first page for `key`, then `more()` appends the
 * next one (`load(cursor)`). Starts over when the key changes. `first` is the first answer (it carries any
 * summary).
 */
export function usePages<I, T extends { items?: I[]; nextCursor?: string | null }>(
  key: string | null,
  load: (cursor?: string) => Promise<T>,
) {
  const first = useLoad<T>(key, () => load());
  const [extra, setExtra] = useState<{ for: string | null; items: I[]; cursor: string | null }>({
    for: null,
    items: [],
    cursor: null,
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const mine = extra.for === key && first.data !== null;
  const items = first.data ? [...(first.data.items ?? []), ...(mine ? extra.items : [])] : [];
  const cursor = mine ? extra.cursor : (first.data?.nextCursor ?? null);
  const more = () => {
    if (!key || !cursor || busy) return;
    setBusy(true);
    setError(null);
    load(cursor).then(
      (page) => {
        setExtra({
          for: key,
          items: [...(mine ? extra.items : []), ...(page.items ?? [])],
          cursor: page.nextCursor ?? null,
        });
        setBusy(false);
      },
      (e: unknown) => {
        setError(messageOf(e));
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
