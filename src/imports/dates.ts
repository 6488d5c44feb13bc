/**
 * Dates as sources write them → ISO. Calendar-checked (2023-02-30 is refused). A time without a zone is
 * taken as Asia/Shanghai (+08:00), CNVD's time zone.
 */
export const SOURCE_TIME_ZONE_OFFSET = '+08:00';

function validYmd(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return (
    t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d && y >= 1970 && y <= 2100
  );
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "2022-01-26", "2022/1/26", "2022-01-26 10:00:00", ISO date-times → "YYYY-MM-DD" or a full ISO date-time; null if invalid. */
export function parseDate(input: string | undefined | null): string | null {
  if (!input) return null;
  const s = input.trim();
  const m =
    /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/.exec(
      s,
    );
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!validYmd(y, mo, d)) return null;
  const date = `${y}-${pad(mo)}-${pad(d)}`;
  if (m[4] === undefined) return date;
  const [h, mi, se] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  if (h > 23 || mi > 59 || se > 59) return null;
  let zone = m[7] ?? SOURCE_TIME_ZONE_OFFSET;
  if (zone !== 'Z' && !zone.includes(':')) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const t = new Date(`${date}T${pad(h)}:${pad(mi)}:${pad(se)}${zone}`);
  return Number.isNaN(t.getTime()) ? null : t.toISOString();
}
