/** A form field's text: FormData.get gives a string, a File or null; forms here only have text fields. */
export function text(f: FormData, name: string, fallback = ''): string {
  const v = f.get(name);
  return typeof v === 'string' ? v : fallback;
}
