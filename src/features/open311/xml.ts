// A small XML writer for the Open311 documents: GeoReport v2 defines its JSON as the Spark
// convention mapping of its XML (an array under a key is a wrapper element repeating one child
// element: services → service, attributes → attribute …), so one value serves both formats.
// Written here rather than pulled in: the documents are flat, the writer is twenty lines, and the
// two things that matter — escaping and dropping what XML 1.0 forbids — are tested beside it.

export type Scalar = string | number | boolean | null | undefined;
export type SparkValue = Scalar | SparkObject | readonly SparkValue[];
export type SparkObject = { readonly [key: string]: SparkValue };

/** Characters XML 1.0 does not allow anywhere (controls other than tab/newline/return, lone surrogates, U+FFFE/U+FFFF). */
const notXmlChar = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text safe inside an element or an attribute value. */
export const escapeXml = (text: string) => text.replace(notXmlChar, '').replace(/[&<>"']/g, (c) => entities[c]!);

/** Element names used here are fixed ASCII names; a bad one is a programming error. */
const checkName = (name: string) => {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) throw new Error(`not an XML element name: ${name}`);
  return name;
};

function write(name: string, value: SparkValue, itemNames: Readonly<Record<string, string>>, out: string[]) {
  const tag = checkName(name);
  if (value === null || value === undefined) {
    out.push(`<${tag}/>`);
  } else if (Array.isArray(value)) {
    const item = itemNames[name];
    if (!item) throw new Error(`no item element name for the array <${name}>`);
    out.push(`<${tag}>`);
    for (const v of value as readonly SparkValue[]) write(item, v, itemNames, out);
    out.push(`</${tag}>`);
  } else if (typeof value === 'object') {
    out.push(`<${tag}>`);
    for (const [k, v] of Object.entries(value as SparkObject)) write(k, v, itemNames, out);
    out.push(`</${tag}>`);
  } else {
    out.push(`<${tag}>${escapeXml(String(value))}</${tag}>`);
  }
}

/**
 * The XML document for a Spark-convention value: `root` names the top element; `itemNames` names
 * the repeated child of each array-valued element (`{ services: 'service' }`).
 */
export function toXml(root: string, value: SparkValue, itemNames: Readonly<Record<string, string>> = {}): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  write(root, value, itemNames, out);
  out.push('\n');
  return out.join('');
}
