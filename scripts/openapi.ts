/**
 * `npm run openapi`: writes docs/openapi.json from the route schemas, then the web client's types
 * (web/src/api/schema.d.ts) from that document.
 */
import { writeFile } from 'node:fs/promises';
import { buildOpenApiDocument, formatOpenApiDocument } from '../src/http/openapi-doc.js';

const out = new URL('../docs/openapi.json', import.meta.url);
await writeFile(out, formatOpenApiDocument(await buildOpenApiDocument()));
console.log('wrote docs/openapi.json');
