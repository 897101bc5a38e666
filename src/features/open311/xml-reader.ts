// The tests' XML reader: strict enough to refuse what a real parser refuses in the documents the
// Open311 routes write (a mismatched or unclosed tag, a bare & or <, a character XML 1.0 forbids,
// anything after the root), small enough to read at a glance. Elements only: the documents have
// no attributes, comments, CDATA or processing instructions besides the declaration.

export type XmlElement = { name: string; children: XmlElement[]; text: string };

const notXmlChar = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const name = '[A-Za-z_][A-Za-z0-9_.-]*';

function decode(raw: string): string {
  if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(raw)) throw new Error(`bare & in text: ${raw.slice(0, 40)}`);
  if (raw.includes(']]>')) throw new Error(']]> in text');
  return raw.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e]!;
  });
}

export function readXml(doc: string): XmlElement {
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*/.exec(doc);
  if (!decl) throw new Error('no XML declaration with encoding="UTF-8"');
  if (notXmlChar.test(doc)) throw new Error('a character XML 1.0 forbids');
  let i = decl[0].length;
  const element = (): XmlElement => {
    const open = new RegExp(`^<(${name})\\s*(/?)>`).exec(doc.slice(i));
    if (!open) throw new Error(`expected an element at ${i}: ${doc.slice(i, i + 30)}`);
    i += open[0].length;
    const el: XmlElement = { name: open[1]!, children: [], text: '' };
    if (open[2]) return el;
    for (;;) {
      const lt = doc.indexOf('<', i);
      if (lt < 0) throw new Error(`<${el.name}> is not closed`);
      el.text += decode(doc.slice(i, lt));
      i = lt;
      if (doc.startsWith('</', i)) {
        const close = new RegExp(`^</(${name})\\s*>`).exec(doc.slice(i));
        if (!close || close[1] !== el.name) throw new Error(`<${el.name}> closed by ${doc.slice(i, i + 30)}`);
        i += close[0].length;
        return el;
      }
      el.children.push(element());
    }
  };
  const root = element();
  if (doc.slice(i).trim() !== '') throw new Error('content after the root element');
  return root;
}

/**
 * The Spark-convention value of an element, to compare with the JSON answer: elements named in
 * `arrays` are lists of their children, other elements with children are objects, leaves are text.
 */
export function sparkOf(el: XmlElement, arrays: readonly string[]): unknown {
  if (arrays.includes(el.name)) return el.children.map((c) => sparkOf(c, arrays));
  if (el.children.length) return Object.fromEntries(el.children.map((c) => [c.name, sparkOf(c, arrays)]));
  return el.text;
}

/** A JSON answer as its XML twin reads: every scalar as text, null as the empty string. */
export function asText(v: unknown): unknown {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(asText);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, asText(x)]));
  return String(v);
}
