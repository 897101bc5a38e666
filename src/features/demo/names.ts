// Material for realistic demo people: common surnames (roughly by frequency in Zhejiang) and the
// characters that given names are usually made of. A seeded generator makes the same county each run.
export const surnames =
  '陈王张林李叶吴周徐黄杨郑金胡朱刘何孙俞蒋沈潘赵汪方应许章鲍邵袁史马钱范顾冯蔡谢毛傅姚严董虞丁钟梁郭罗卢韩石贺薛夏吕任孔邱余宋唐戴胡柯翁葛欧阳'
    .replace('欧阳', '')
    .split('');
export const givenChars =
  '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉鹏宇浩俊峰斌波晨晓雪琳燕婷慧颖佳蕾倩海龙飞鑫凯欣怡梦瑶子涵一诺嘉晨思远志宏海燕永康立新卫东春梅秋菊'.split('');

/** mulberry32: small, fast, seeded. */
export function seededRandom(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeNamer(random: () => number) {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  // Surnames skew to the common ones: square the uniform draw.
  const surname = () => surnames[Math.floor(random() * random() * surnames.length)]!;
  return {
    pick,
    name: () => surname() + pick(givenChars) + (random() < 0.7 ? pick(givenChars) : ''),
    phone: () => `1${pick(['35', '36', '37', '38', '39', '50', '51', '57', '58', '59', '80', '87', '88', '89'])}${String(Math.floor(random() * 1e8)).padStart(8, '0')}`,
    gender: () => (random() < 0.62 ? ('male' as const) : ('female' as const)),
  };
}

/** Positions held at section level and below, the same in any county or city. */
export const commonPositions = {
  section: ['局长', '副局长', '主任', '副主任', '党委书记', '镇长', '党委副书记', '副镇长', '纪委书记', '组织委员', '科长'],
  general: ['科员', '一级科员', '四级主任科员', '办事员', '二级主任科员', '驻村干部'],
  village: ['村党组织书记', '村委会主任', '村监委会主任', '村委委员', '社区党委书记', '网格员'],
};
