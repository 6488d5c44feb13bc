/**
 * Atom 1.0 (RFC 4287) feed of new and updated published records: one entry per vulnerability, its id a
 * stable tag URI, `updated` when the store last changed it, `published` when it first appeared here.
 */
import type { Vulnerability } from './model.js';

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );

export interface AtomEntry {
  vulnerability: Vulnerability;
  changedAt: string;
  createdAt: string;
}

export function renderAtom(opts: {
  baseUrl: string;
  selfPath: string;
  lang: 'zh' | 'en';
  title: string;
  entries: AtomEntry[];
  now: Date;
}): string {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const other = opts.lang === 'zh' ? 'en' : 'zh';
  const pick = (t: { zh?: string; en?: string }) => t[opts.lang] ?? t[other] ?? '';
  const updated = opts.entries[0]?.changedAt ?? opts.now.toISOString();
  const host = new URL(base).hostname;
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${opts.lang === 'zh' ? 'zh-CN' : 'en'}">`,
    `  <id>tag:${esc(host)},2024:${esc(opts.selfPath)}</id>`,
    `  <title>${esc(opts.title)}</title>`,
    `  <updated>${updated}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${esc(base + opts.selfPath)}"/>`,
    `  <link rel="alternate" type="text/html" href="${esc(base)}/vulnerabilities"/>`,
    '  <generator>vulnshare</generator>',
  ];
  for (const e of opts.entries) {
    const v = e.vulnerability;
    const href = `${base}/vulnerabilities/${encodeURIComponent(v.id)}`;
    const sev = [v.severity, v.score === null ? null : `CVSS ${v.score}`].filter(Boolean).join(' · ');
    const summary = [sev, v.aliases.filter((a) => a !== v.id).join(', '), pick(v.description)]
      .filter(Boolean)
      .join('\n');
    lines.push(
      '  <entry>',
      `    <id>tag:${esc(host)},2024:vulnerability:${esc(v.id)}</id>`,
      `    <title>${esc(`${v.id} ${pick(v.title)}`.trim())}</title>`,
      `    <link rel="alternate" type="text/html" href="${esc(href)}"/>`,
      `    <published>${e.createdAt}</published>`,
      `    <updated>${e.changedAt}</updated>`,
      ...v.vendors.map((name) => `    <category term="${esc(name)}"/>`),
      ...(v.severity ? [`    <category term="severity:${esc(v.severity)}"/>`] : []),
      `    <author><name>vulnshare</name></author>`,
      `    <summary>${esc(summary.slice(0, 2000))}</summary>`,
      '  </entry>',
    );
  }
  lines.push('</feed>', '');
  return lines.join('\n');
}
