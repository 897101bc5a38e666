import { describe, expect, it } from 'vitest';
import { checkCreditCode, checkIdNumber, creditCodeCheckChar, idNumberCheckChar } from './validators.ts';

const reason = (r: ReturnType<typeof checkIdNumber>) => (r.ok ? '' : r.reason);

describe('resident ID number (GB 11643-1999)', () => {
  it('accepts the standard’s own example and numbers whose check character is computed by the algorithm', () => {
    expect(checkIdNumber('11010519491231002X')).toEqual({ ok: true }); // the example printed in GB 11643-1999
    expect(checkIdNumber('11010519491231002x')).toEqual({ ok: true }); // lower-case x is the same character
    expect(idNumberCheckChar('33022519800101123')).toBe('X');
    expect(checkIdNumber('33022519800101123X')).toEqual({ ok: true });
    expect(checkIdNumber('330225199003073412')).toEqual({ ok: true });
    expect(checkIdNumber('33022520000229004X')).toEqual({ ok: true }); // 29 February of a leap year
  });

  it('says the check digit is wrong, and what it should be', () => {
    expect(reason(checkIdNumber('330225199003073411'))).toBe('校验码错误：第18位应为 2，实为 1');
    expect(reason(checkIdNumber('110105194912310021'))).toContain('应为 X');
  });

  it('rejects a wrong length, letters in the digits, and impossible or future birth dates', () => {
    expect(reason(checkIdNumber('33022519800101123'))).toContain('应为18位');
    expect(reason(checkIdNumber('330225198001011234567'))).toContain('实为21位');
    expect(reason(checkIdNumber('3302251980O101123X'))).toContain('前17位应为数字');
    const feb30 = `3302251990023000${'1'}`;
    expect(reason(checkIdNumber(feb30 + idNumberCheckChar(feb30)))).toContain('19900230 不是有效日期');
    const notLeap = '33022519000229001';
    expect(reason(checkIdNumber(notLeap + idNumberCheckChar(notLeap)))).toContain('不是有效日期');
    const future = '33022520990101001';
    expect(reason(checkIdNumber(future + idNumberCheckChar(future), new Date('2026-01-01')))).toContain('不在合理范围内');
  });
});

describe('unified social credit code (GB 32100-2015)', () => {
  it('accepts a published code and codes whose check character is computed by the algorithm', () => {
    expect(checkCreditCode('91350100M000100Y43')).toEqual({ ok: true });
    expect(creditCodeCheckChar('91330225MA2AB1CD0')).toBe('W');
    expect(checkCreditCode('91330225MA2AB1CD0W')).toEqual({ ok: true });
    expect(checkCreditCode('12330225002948765L')).toEqual({ ok: true });
    expect(checkCreditCode('91350100m000100y43')).toEqual({ ok: true }); // case does not matter
  });

  it('maps a sum that is a multiple of 31 to the check character 0', () => {
    // Search a 17-character body whose weighted sum is ≡ 0 (mod 31): its check character is 0, not 31.
    const body = Array.from({ length: 31 }, (_, i) => `9133022500000000${'0123456789ABCDEFGHJKLMNPQRTUWXY'[i]}`).find((b) => creditCodeCheckChar(b) === '0');
    expect(body).toBeDefined();
    expect(checkCreditCode(`${body}0`)).toEqual({ ok: true });
  });

  it('says the check character is wrong, and rejects a wrong length and characters outside the set', () => {
    expect(reason(checkCreditCode('91350100M000100Y44'))).toBe('校验码错误：第18位应为 3，实为 4');
    expect(reason(checkCreditCode('91350100M000100Y4'))).toContain('应为18位');
    expect(reason(checkCreditCode('91350100I000100Y43'))).toContain('第9位“I”不是有效字符');
    expect(reason(checkCreditCode('91350100M00010OY43'))).toContain('“O”');
    expect(reason(checkCreditCode('91350100M000-00Y43'))).toContain('第13位');
  });
});
