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
    /** the error's details (e.g. `problems`: [{ field, message }] for invalid input) */
    readonly details?: Record<string, unknown>,
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

/** The signed-in session: its CSRF token goes with every request that changes something. */
let csrf: string | null = null;
export const setCsrf = (t: string | null) => {
  csrf = t;
};
/** The session's CSRF token, for the generated client (api/client.ts). */
export const currentCsrf = () => csrf;

export async function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(path, {
    method,
    headers: {
      accept: 'application/json',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(csrf ? { 'x-csrf-token': csrf } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.text();
  const json = (text ? JSON.parse(text) : {}) as T & {
    error?: { message?: string; details?: Record<string, unknown> };
  };
  if (!r.ok) throw new ApiError(r.status, json.error?.message ?? `HTTP ${r.status}`, json.error?.details);
  return json;
}

export interface Me {
  id: number;
  email: string;
  displayName: string;
  role: 'admin' | 'analyst' | 'reporter' | 'recipient';
  /** wrong passwords tried on the account since its previous sign-in */
  failedSignInsSinceLastLogin?: number;
}

/** Upload a file as the raw request body (attachments). */
export async function upload<T>(path: string, file: File): Promise<T> {
  const r = await fetch(path, {
    method: 'POST',
    headers: {
      accept: 'application/json',
      'content-type': file.type || 'application/octet-stream',
      ...(csrf ? { 'x-csrf-token': csrf } : {}),
    },
    body: file,
  });
  const json = (await r.json().catch(() => ({}))) as T & { error?: { message?: string } };
  if (!r.ok) throw new ApiError(r.status, `${file.name}: ${json.error?.message ?? `HTTP ${r.status}`}`);
  return json;
}
