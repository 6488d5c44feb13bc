/**
 * What the web side keeps of the API: the session's CSRF token, the reader's language (sent as
 * Accept-Language, so the server answers its messages in it) and the error a failed call becomes. The calls
 * themselves go through the generated client (api/client.ts); their types come from the OpenAPI document.
 */

/** A refused call: the HTTP status, the server's stable `error.code` and its message in the reader's language. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** the server's error code (`not_found`, `invalid_input`, `embargoed` …); `http_<status>` when it sent none */
    readonly code: string,
    message: string,
    /** the error's details (e.g. `problems`: [{ field, message }] for invalid input) */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;

/** The ApiError for a refused response and the body it carried (`{ error: { code, message, details } }`). */
export function apiError(response: Response, body: unknown): ApiError {
  const e = isRecord(body) && isRecord(body.error) ? body.error : {};
  const code = typeof e.code === 'string' ? e.code : `http_${response.status}`;
  const message = typeof e.message === 'string' && e.message ? e.message : `HTTP ${response.status}`;
  return new ApiError(response.status, code, message, isRecord(e.details) ? e.details : {});
}

/** The text to show for anything a call threw: the server's message, or the error's own. */
export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The signed-in session: its CSRF token goes with every request that changes something. */
let csrf: string | null = null;
export const setCsrf = (t: string | null) => {
  csrf = t;
};
/** The session's CSRF token, for the generated client (api/client.ts). */
export const currentCsrf = () => csrf;

/** The UI language, sent as Accept-Language on every request. */
let language: 'zh' | 'en' = 'zh';
export const setLanguage = (l: 'zh' | 'en') => {
  language = l;
};
export const currentLanguage = () => language;
