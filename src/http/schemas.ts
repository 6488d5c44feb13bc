/**
 * Small TypeBox pieces the route files share: with `app.withTypeProvider<TypeBoxTypeProvider>()` a route's
 * schema is its handler's type, so `req.body`, `req.query` and `req.params` need no casts.
 */
import { Type, type Static, type TSchema, type TUnsafe } from 'typebox';

/** The error body every 4xx/5xx carries (registered once in app.ts as `Error`). */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown>; requestId?: string };
}

/** `{ $ref: 'Error#' }`, typed as the error body. */
export const ErrorRef = Type.Unsafe<ErrorBody>({ $ref: 'Error#' });

/** `{ 400: ErrorRef, 404: ErrorRef, … }` for the listed status codes. */
export function errorResponses<const C extends readonly number[]>(
  ...codes: C
): { [K in C[number]]: typeof ErrorRef } {
  return Object.fromEntries(codes.map((code) => [code, ErrorRef])) as { [K in C[number]]: typeof ErrorRef };
}

/**
 * T or null. A schema with a single `type` becomes `{ ...T, nullable: true }`, exactly what the routes wrote
 * by hand: Ajv (with the app's `coerceTypes`) keeps a null as null there, whereas in `anyOf: [T, null]` it
 * would coerce null to "" or 0 in the first branch. Anything else (a `$ref`, a union) becomes `anyOf [T, null]`
 * — fine for responses; avoid it in request bodies.
 */
export function Nullable<T extends TSchema>(schema: T): TUnsafe<Static<T> | null> {
  const type = (schema as { type?: unknown }).type;
  if (typeof type === 'string') return Type.Unsafe<Static<T> | null>({ ...schema, nullable: true });
  return Type.Unsafe<Static<T> | null>(Type.Union([schema, Type.Null()]));
}

/** A string restricted to `values`, written `{ type: 'string', enum: [...] }` (Type.Enum leaves out `type`). */
export function StringEnum<const V extends readonly string[]>(
  values: V,
  options: Record<string, unknown> = {},
): TUnsafe<V[number]> {
  return Type.Unsafe<V[number]>({ type: 'string', enum: [...values], ...options });
}

/** `/:id` where the id is a row's integer id. */
export const IdParam = Type.Object({ id: Type.Integer() });

/** `/:id` where the id is a public identifier (CVE-…, CNVD-…, a tracking number). */
export const PublicIdParam = Type.Object({ id: Type.String() });

/** 204 No Content. */
export const NoContent = Type.Null();
