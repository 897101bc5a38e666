// Check characters of the two national identifiers the contact registry stores. Pure functions
// with no dependencies, so the web app can run the same checks as the server (via contracts/).
export type CheckResult = { ok: true } | { ok: false; reason: string };

const ok: CheckResult = { ok: true };
const fail = (reason: string): CheckResult => ({ ok: false, reason });

// GB 11643-1999 公民身份号码: 6-digit address code, 8-digit birth date, 3-digit sequence, check character.
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARS = '10X98765432';

/** The check character of the first 17 digits of an ID number. */
export function idNumberCheckChar(first17: string): string {
  const sum = ID_WEIGHTS.reduce((s, w, i) => s + w * Number(first17[i]), 0);
  return ID_CHECK_CHARS[sum % 11]!;
}

function isRealDate(yyyymmdd: string): boolean {
  const [y, m, d] = [Number(yyyymmdd.slice(0, 4)), Number(yyyymmdd.slice(4, 6)), Number(yyyymmdd.slice(6, 8))];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** A resident ID number (居民身份证号码, 18 characters). `today` is for tests. */
export function checkIdNumber(value: string, today = new Date()): CheckResult {
  const id = value.trim().toUpperCase();
  if (id.length !== 18) return fail(`身份证号应为18位，实为${id.length}位`);
  if (!/^\d{17}[\dX]$/.test(id)) return fail('身份证号前17位应为数字，第18位为数字或X');
  const birth = id.slice(6, 14);
  if (!isRealDate(birth)) return fail(`第7–14位出生日期 ${birth} 不是有效日期`);
  const todayText = today.toISOString().slice(0, 10).replaceAll('-', '');
  if (birth < '18900101' || birth > todayText) return fail(`第7–14位出生日期 ${birth} 不在合理范围内`);
  const expected = idNumberCheckChar(id);
  if (id[17] !== expected) return fail(`校验码错误：第18位应为 ${expected}，实为 ${id[17]}`);
  return ok;
}

// GB 32100-2015 统一社会信用代码: 31 characters, no I, O, Z, S, V.
const CREDIT_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** The check character of the first 17 characters of a credit code (which must be valid characters). */
export function creditCodeCheckChar(first17: string): string {
  const sum = CREDIT_WEIGHTS.reduce((s, w, i) => s + w * CREDIT_CHARS.indexOf(first17[i]!), 0);
  return CREDIT_CHARS[(31 - (sum % 31)) % 31]!;
}

/** A unified social credit code (统一社会信用代码, 18 characters). */
export function checkCreditCode(value: string): CheckResult {
  const code = value.trim().toUpperCase();
  if (code.length !== 18) return fail(`统一社会信用代码应为18位，实为${code.length}位`);
  for (let i = 0; i < 18; i++) {
    if (!CREDIT_CHARS.includes(code[i]!)) return fail(`第${i + 1}位“${code[i]}”不是有效字符（只用数字和除 I、O、Z、S、V 以外的大写字母）`);
  }
  const expected = creditCodeCheckChar(code);
  if (code[17] !== expected) return fail(`校验码错误：第18位应为 ${expected}，实为 ${code[17]}`);
  return ok;
}
