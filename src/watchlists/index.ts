/** Version ordering, ranges, CPE names, product matching and the watch index for watchlists (no DB, no HTTP). */
export * from './version.js';
export * from './range.js';
export * from './cve-versions.js';
export * from './cpe.js';
export * from './product.js';
export * from './match.js';
export * from './matcher.js';
export * from './rules.js';
