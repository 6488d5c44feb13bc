/**
 * The OpenAPI document as the routes describe it, built without a server: the app is assembled on an empty
 * in-memory database and asked for its document. `npm run openapi` writes it to docs/openapi.json, from which
 * the web client's types are generated; a test keeps the committed file equal to this.
 */
import { openDatabase } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { buildApp } from './app.js';

export async function buildOpenApiDocument(): Promise<Record<string, unknown>> {
  const database = await openDatabase({ dataDir: 'memory://' });
  try {
    await migrate(database);
    const app = await buildApp({ database, config: { logLevel: 'silent' } });
    try {
      await app.ready();
      return app.swagger() as unknown as Record<string, unknown>;
    } finally {
      await app.close();
    }
  } finally {
    await database.close();
  }
}

/** The document as committed: two-space JSON and a final newline. */
export function formatOpenApiDocument(doc: Record<string, unknown>): string {
  return JSON.stringify(doc, null, 2) + '\n';
}
