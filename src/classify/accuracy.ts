/** Accuracy of the classification rules against hand labels, per attribute. Pure. */
import type { Industry, ObjectType, SourceRecord } from '../vulns/model.js';
import { classifyRecord } from './index.js';
import { vendorKey } from './vendors.js';

export interface Label {
  number: string;
  weakness: string | null;
  objectType: ObjectType;
  industries: Industry[];
  vendor: string;
}

export interface AttributeScore {
  correct: number;
  total: number;
  accuracy: number;
  misses: Array<{ number: string; expected: unknown; got: unknown }>;
}

export type AccuracyReport = Record<'weakness' | 'objectType' | 'industries' | 'vendor', AttributeScore>;

const score = (): AttributeScore => ({ correct: 0, total: 0, accuracy: 0, misses: [] });

export function measureAccuracy(labels: Label[], records: Map<string, SourceRecord>): AccuracyReport {
  const r: AccuracyReport = { weakness: score(), objectType: score(), industries: score(), vendor: score() };
  const add = (s: AttributeScore, number: string, expected: unknown, got: unknown) => {
    s.total++;
    if (JSON.stringify(expected) === JSON.stringify(got)) s.correct++;
    else s.misses.push({ number, expected, got });
  };
  for (const l of labels) {
    const rec = records.get(l.number);
    if (!rec) continue;
    const c = classifyRecord(rec);
    add(r.weakness, l.number, l.weakness, c.weaknesses[0]?.cwe ?? null);
    add(r.objectType, l.number, l.objectType, c.objectType);
    add(r.industries, l.number, [...l.industries].sort(), [...(c.industries ?? [])].sort());
    if (l.vendor) add(r.vendor, l.number, vendorKey(l.vendor), vendorKey(c.products[0]?.vendor ?? ''));
  }
  for (const s of Object.values(r)) s.accuracy = s.total ? Math.round((s.correct / s.total) * 1000) / 10 : 0;
  return r;
}
