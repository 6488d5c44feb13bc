/** The API, typed by what the pages use. */
export interface VulnItem {
  id: string;
  title: { zh?: string; en?: string };
  severity: 'high' | 'medium' | 'low' | null;
  score: number | null;
  vendors: string[];
  objectType: string | null;
  published?: string | null;
  aliases?: string[];
  kind?: string;
  exploited?: boolean;
  zeroDay?: boolean | null;
}
export interface SearchResult {
  items: VulnItem[];
  total: number;
  totalIsExact: boolean;
  nextCursor: string | null;
  facets?: Record<string, Array<{ value: string; count: number }>>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(path: string): Promise<T> {
  const r = await fetch(path, { headers: { accept: 'application/json' } });
  const body = (await r.json().catch(() => ({}))) as { error?: { message?: string } };
  if (!r.ok) throw new ApiError(r.status, body.error?.message ?? `HTTP ${r.status}`);
  return body as T;
}
