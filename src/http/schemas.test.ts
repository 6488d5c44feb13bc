import { Ajv } from 'ajv';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { ErrorRef, IdParam, Nullable, PublicIdParam, StringEnum, errorResponses } from './schemas.js';

// the options of the app's own Ajv (src/http/app.ts)
const ajv = new Ajv({ coerceTypes: 'array', removeAdditional: true, allErrors: false });

describe('shared route schemas', () => {
  it('keeps a null as null in a nullable string or integer under type coercion', () => {
    const check = ajv.compile(
      Type.Object({ s: Nullable(Type.String({ maxLength: 3 })), n: Nullable(Type.Integer()) }),
    );
    const body = { s: null, n: null };
    expect(check(body)).toBe(true);
    expect(body).toEqual({ s: null, n: null });
    expect(check({ s: 'abcd', n: null })).toBe(false);
  });

  it('writes a nullable typed schema the way OpenAPI 3.0 reads it', () => {
    expect(JSON.parse(JSON.stringify(Nullable(Type.String())))).toEqual({ type: 'string', nullable: true });
    expect(JSON.parse(JSON.stringify(Nullable(ErrorRef)))).toEqual({
      anyOf: [{ $ref: 'Error#' }, { type: 'null' }],
    });
  });

  it('names the error body by reference for each listed status', () => {
    expect(JSON.parse(JSON.stringify(errorResponses(400, 404)))).toEqual({
      400: { $ref: 'Error#' },
      404: { $ref: 'Error#' },
    });
  });

  it('lists the allowed strings of an enum with their type', () => {
    const schema = StringEnum(['a', 'b'], { description: 'd' });
    expect(JSON.parse(JSON.stringify(schema))).toEqual({
      type: 'string',
      enum: ['a', 'b'],
      description: 'd',
    });
    expect(ajv.validate(schema, 'c')).toBe(false);
  });

  it('coerces an integer id from the path and refuses a word', () => {
    const params = { id: '42' };
    expect(ajv.validate(IdParam, params)).toBe(true);
    expect(params).toEqual({ id: 42 });
    expect(ajv.validate(IdParam, { id: 'x' })).toBe(false);
    expect(ajv.validate(PublicIdParam, { id: 'CVE-2024-0204' })).toBe(true);
  });
});
