// Pure helpers of the record form: money as people type it (元) to integer fen without floating
// point, local times with their offset, stay days.

/** "1,200.5" → 120050; "" → null; anything else (negative, 3 decimals, letters) → undefined. */
export function yuanToFen(input: string): number | null | undefined {
  const s = input.trim().replaceAll(',', '').replaceAll('，', '');
  if (s === '') return null;
  const m = /^(\d{1,13})(?:\.(\d{0,2}))?$/.exec(s);
  if (!m) return undefined;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

export function fenToYuan(fen: number | null | undefined): string {
  if (fen === null || fen === undefined) return '';
  const yuan = Math.floor(fen / 100);
  const cents = fen % 100;
  return cents === 0 ? String(yuan) : `${yuan}.${String(cents).padStart(2, '0')}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The phone's local date, YYYY-MM-DD. */
export function localDate(d: Date = new Date()): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Value for <input type="datetime-local">: YYYY-MM-DDTHH:mm in local time. */
export function localDateTime(d: Date = new Date()): string {
  return `${localDate(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** ISO-8601 with the phone's offset, e.g. 2026-03-05T14:07:00+08:00. */
export function isoWithOffset(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return `${localDate(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** A datetime-local or date value read as local time; undefined when empty or malformed. */
export function parseLocal(value: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/.exec(value);
  if (!m) return undefined;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Calendar days from one date to another, both counted (a stay of 3–5 March is 3 days). */
export function daysInclusive(from: string, to: string): number {
  const a = parseLocal(from);
  const b = parseLocal(to);
  if (!a || !b || b < a) return 0;
  return Math.round((Date.UTC(b.getFullYear(), b.getMonth(), b.getDate()) - Date.UTC(a.getFullYear(), a.getMonth(), a.getDate())) / 86_400_000) + 1;
}

/**
 * A stay given as dates becomes a time range: from 08:00 on the first day to 18:00 on the last,
 * cut at now (a record may not say it ends in the future).
 */
export function stayRange(from: string, to: string, now: Date = new Date()): { startsAt: Date; endsAt: Date } | undefined {
  const a = parseLocal(from);
  const b = parseLocal(to);
  if (!a || !b) return undefined;
  a.setHours(8, 0, 0, 0);
  b.setHours(18, 0, 0, 0);
  const endsAt = b > now ? now : b;
  const startsAt = a > endsAt ? new Date(endsAt.getFullYear(), endsAt.getMonth(), endsAt.getDate()) : a;
  return { startsAt, endsAt };
}
