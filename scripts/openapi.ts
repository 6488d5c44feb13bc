/**
 * `npm run openapi`: writes docs/openapi.json from the route schemas, then the web client's types
 * (web/src/api/schema.d.ts) from that document.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument, formatOpenApiDocument } from '../src/http/openapi-doc.js';

const out = new URL('../docs/openapi.json', import.meta.url);
await writeFile(out, formatOpenApiDocument(await buildOpenApiDocument()));
console.log('wrote docs/openapi.json');
const root = fileURLToPath(new URL('..', import.meta.url));
execFileSync('node_modules/.bin/openapi-typescript', ['docs/openapi.json', '-o', 'web/src/api/schema.d.ts'], {
  cwd: root,
  stdio: 'inherit',
});
execFileSync('node_modules/.bin/prettier', ['--write', 'web/src/api/schema.d.ts'], {
  cwd: root,
  stdio: 'inherit',
});
