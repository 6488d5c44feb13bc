/**
 * The platform's code tables (GET /api/v1/vocabularies: object types, industries, incident sectors, statuses,
 * vectors, ATT&CK tactics, asset kinds, TLP levels, settled notification states), loaded once for the whole
 * app. Until they arrive a code shows as itself.
 */
import { createContext, useContext, useEffect, useState } from 'react';
import { call, client, type Answer } from './api/client.js';

export type Vocabularies = Answer<'getVocabularies'>;
export type LabelTable = Record<string, { zh: string; en: string }>;

const VocabulariesContext = createContext<Vocabularies | null>(null);
export const useVocabularies = () => useContext(VocabulariesContext);

export function VocabulariesProvider({ children }: { children: React.ReactNode }) {
  const [v, setV] = useState<Vocabularies | null>(null);
  useEffect(() => {
    let live = true;
    // a failure leaves the codes unlabelled; the pages that need the tables still work
    call(client.GET('/api/v1/vocabularies')).then(
      (x) => live && setV(x),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return <VocabulariesContext.Provider value={v}>{children}</VocabulariesContext.Provider>;
}

/** Whether `value` is one of a table's codes (a URL parameter, a select's value) — then it has the code's type. */
export const isCode = <T extends object>(table: T | undefined, value: unknown): value is keyof T & string =>
  table !== undefined && typeof value === 'string' && Object.hasOwn(table, value);
