import {
  AlignmentType, BorderStyle, Document, Footer, ImageRun, LineRuleType, Packer, PageNumber, Paragraph, Table, TableCell, TableRow, TabStopType,
  TextRun, WidthType,
} from 'docx';
import * as echarts from 'echarts';
import JSZip from 'jszip';
import sharp from 'sharp';
import type { BulletinChart, BulletinDto } from '../../../contracts/bulletins.ts';
import { rankingColumnLabel } from './generate.ts';

// A bulletin as a .docx in the usual 公文 layout (GB/T 9704 in spirit): A4 with 37/35/28/26 mm
// margins; a red masthead in 方正小标宋简体, 第N期, the issuing office and the date on one line
// above a red rule; the headline in 方正小标宋简体 二号; the body in 仿宋_GB2312 三号 (16 pt) with a
// two-character first-line indent on a fixed 28 pt line; headings in 黑体; page numbers “— N —”.
// Fonts a machine may lack are named with their fallbacks in word/fontTable.xml (w:altName), the
// way Word picks a substitute: 方正小标宋简体 → 宋体, 仿宋_GB2312 → 仿宋. Charts are rendered with
// ECharts server side (SVG) and turned into PNG by sharp with a CJK font.

const RED = 'FF0000';
const TITLE_FONT = '方正小标宋简体';
const BODY_FONT = '仿宋_GB2312';
const HEADING_FONT = '黑体';
const PT = 2; // docx sizes are half-points
const BODY_SIZE = 16 * PT;
const mm = (n: number) => Math.round(n * 56.693);
const BODY_LINE = { line: 28 * 20, lineRule: LineRuleType.EXACT };
const INDENT = { firstLine: 2 * 16 * 20 };

const fallbacks: { name: string; alt: string; family: string }[] = [
  { name: TITLE_FONT, alt: '宋体', family: 'roman' },
  { name: BODY_FONT, alt: '仿宋', family: 'modern' },
  { name: '仿宋', alt: 'FangSong', family: 'modern' },
  { name: '宋体', alt: 'SimSun', family: 'auto' },
  { name: HEADING_FONT, alt: 'SimHei', family: 'modern' },
  { name: '楷体_GB2312', alt: '楷体', family: 'modern' },
];

const run = (text: string, o: { font?: string; size?: number; bold?: boolean; color?: string } = {}) =>
  new TextRun({ text, font: o.font ?? BODY_FONT, size: o.size ?? BODY_SIZE, bold: o.bold, color: o.color });

const body = (text: string) => new Paragraph({ children: [run(text)], indent: INDENT, spacing: BODY_LINE, alignment: AlignmentType.JUSTIFIED });
const heading = (text: string) => new Paragraph({ children: [run(text, { font: HEADING_FONT })], indent: INDENT, spacing: BODY_LINE });

/** “2026年11月22日” */
export const fullChinaDate = (day: string) => `${Number(day.slice(0, 4))}年${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日`;

/** An ECharts option for a bulletin chart; the web page draws the same option. */
export function chartOption(c: BulletinChart, fontFamily?: string): echarts.EChartsCoreOption {
  return {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: fontFamily ? { fontFamily } : undefined,
    title: { text: c.title, left: 'center', textStyle: { fontSize: 16 } },
    legend: { bottom: 0 },
    grid: { left: 48, right: 24, top: 48, bottom: c.categories.length > 8 ? 72 : 48 },
    xAxis: { type: 'category', data: c.categories, axisLabel: { interval: 0, rotate: c.categories.length > 8 ? 40 : 0 } },
    yAxis: { type: 'value' },
    series: c.series.map((s) => ({ name: s.name, type: c.type, data: s.data, label: c.type === 'bar' && c.categories.length <= 12 ? { show: true, position: 'top' } : undefined })),
  };
}

const CJK = 'Noto Sans CJK SC, Noto Serif CJK SC, WenQuanYi Micro Hei, sans-serif';

/** A chart as PNG (twice the nominal size, for print). */
export async function renderChartPng(c: BulletinChart, width = 800, height = 420): Promise<Buffer> {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(chartOption(c, CJK));
    const svg = chart.renderToSVGString();
    return await sharp(Buffer.from(svg), { density: 144 }).png().toBuffer();
  } finally {
    chart.dispose();
  }
}

const cell = (text: string, o: { bold?: boolean; width: number }) => new TableCell({
  width: { size: o.width, type: WidthType.DXA },
  children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [run(text, { size: 12 * PT, bold: o.bold, font: o.bold ? HEADING_FONT : BODY_FONT })] })],
});

function rankingTable(b: BulletinDto): Table | null {
  const r = b.sections.ranking;
  if (!r || r.rows.length === 0) return null;
  const widths = [900, 2600, ...r.columns.map(() => Math.floor((mm(156) - 3500) / r.columns.length))];
  const head = new TableRow({ tableHeader: true, children: ['名次', '地区', ...r.columns.map(rankingColumnLabel)].map((t, i) => cell(t, { bold: true, width: widths[i]! })) });
  const rows = r.rows.map((row) => new TableRow({
    children: [String(row.rank), row.name, ...row.values.map((v) => (v === null ? '—' : String(v)))].map((t, i) => cell(t, { width: widths[i]! })),
  }));
  return new Table({ width: { size: mm(156), type: WidthType.DXA }, rows: [head, ...rows] });
}

/** Adds the fonts with their fallbacks (w:altName) to word/fontTable.xml. */
async function withFontFallbacks(docx: Buffer): Promise<Buffer> {
  const zip = await JSZip.loadAsync(docx);
  const path = 'word/fontTable.xml';
  const fonts = fallbacks.map((f) => `<w:font w:name="${f.name}"><w:altName w:val="${f.alt}"/><w:charset w:val="86"/><w:family w:val="${f.family}"/><w:pitch w:val="variable"/></w:font>`).join('');
  const existing = await zip.file(path)?.async('string');
  const xml = existing && existing.includes('</w:fonts>')
    ? existing.replace('</w:fonts>', `${fonts}</w:fonts>`)
    : `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">${fonts}</w:fonts>`;
  zip.file(path, xml);
  if (!existing) {
    const rels = await zip.file('word/_rels/document.xml.rels')!.async('string');
    zip.file('word/_rels/document.xml.rels', rels.replace('</Relationships>', '<Relationship Id="rIdFontTable" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable" Target="fontTable.xml"/></Relationships>'));
    const types = await zip.file('[Content_Types].xml')!.async('string');
    if (!types.includes('/word/fontTable.xml')) {
      zip.file('[Content_Types].xml', types.replace('</Types>', '<Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/></Types>'));
    }
  }
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

/** The bulletin as a .docx file. */
export async function bulletinDocx(b: BulletinDto): Promise<Buffer> {
  const s = b.sections;
  const children: (Paragraph | Table)[] = [
    new Paragraph({ alignment: AlignmentType.CENTER, spacing: { before: 0, after: 240 }, children: [run(b.masthead, { font: TITLE_FONT, size: 36 * PT, color: RED })] }),
    new Paragraph({ alignment: AlignmentType.CENTER, spacing: { after: 240 }, children: [run(`第${b.number}期`)] }),
    new Paragraph({
      tabStops: [{ type: TabStopType.RIGHT, position: mm(156) }],
      border: { bottom: { style: BorderStyle.SINGLE, size: 18, color: RED, space: 4 } },
      spacing: { after: 480 },
      children: [run(b.office), run(`\t${fullChinaDate(b.issuedOn)}`)],
    }),
    new Paragraph({ alignment: AlignmentType.CENTER, spacing: { after: 360, line: 36 * 20, lineRule: LineRuleType.EXACT }, children: [run(b.title, { font: TITLE_FONT, size: 22 * PT })] }),
  ];
  for (const p of s.intro.split(/\n+/).filter(Boolean)) children.push(body(p));
  for (const p of s.statistics.split(/\n+/).filter(Boolean)) children.push(body(p));
  let n = 0;
  const numerals = ['一', '二', '三', '四', '五'];
  const table = rankingTable(b);
  if (table) {
    children.push(heading(`${numerals[n++]}、${s.ranking!.title}`), table, new Paragraph({ children: [] }));
  }
  if (s.charts.length) {
    children.push(heading(`${numerals[n++]}、图表`));
    for (const c of s.charts) {
      const png = await renderChartPng(c);
      children.push(new Paragraph({ alignment: AlignmentType.CENTER, children: [new ImageRun({ type: 'png', data: png, transformation: { width: 560, height: 294 } })] }));
    }
  }
  if (s.highlights.length) {
    children.push(heading(`${numerals[n++]}、工作亮点`));
    for (const h of s.highlights) {
      children.push(new Paragraph({ indent: INDENT, spacing: BODY_LINE, children: [run(`${h.title}`, { font: '楷体_GB2312', bold: true }), run(`（${h.author}${h.regionName ? `，${h.regionName}` : ''}）`, { font: '楷体_GB2312' })] }));
      for (const p of h.excerpt.split(/\n+/).filter(Boolean)) children.push(body(p));
    }
  }
  for (const p of s.closing.split(/\n+/).filter(Boolean)) children.push(body(p));

  const doc = new Document({
    creator: b.office,
    title: `${b.masthead} 第${b.number}期`,
    styles: { default: { document: { run: { font: BODY_FONT, size: BODY_SIZE } } } },
    sections: [{
      properties: {
        page: {
          size: { width: mm(210), height: mm(297) },
          margin: { top: mm(37), bottom: mm(35), left: mm(28), right: mm(26), footer: mm(20) },
        },
      },
      footers: {
        default: new Footer({
          children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ children: ['— ', PageNumber.CURRENT, ' —'], font: '宋体', size: 14 * PT })] })],
        }),
      },
      children,
    }],
  });
  return withFontFallbacks(await Packer.toBuffer(doc));
}
