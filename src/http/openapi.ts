/**
 * What the OpenAPI document says about who may call an operation. Every route's schema names one of these as
 * its `security`; the principal itself is resolved by auth.ts and the services decide what it may do.
 */

type Security = Array<Record<string, string[]>>;

/** Needs an API token or a session (a 401 otherwise). */
export const SIGNED_IN: Security = [{ bearer: [] }, { session: [] }];
/** Open to anyone; a signed-in caller may see more (drafts, embargoed records, TLP above CLEAR). */
export const SIGN_IN_OPTIONAL: Security = [{}, { bearer: [] }, { session: [] }];
/** Open to anyone: no credentials are read (or the request carries its own, such as a signed link). */
export const NO_SIGN_IN: Security = [];
