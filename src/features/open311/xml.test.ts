import { describe, expect, it } from 'vitest';
import { asText, readXml, sparkOf } from './xml-reader.ts';
import { escapeXml, toXml } from './xml.ts';

// The XML writer the Open311 routes use, read back by the tests' strict reader.

describe('the Open311 XML writer', () => {
  it('escapes the five special characters and keeps Chinese text as it is', () => {
    expect(escapeXml(`a & b < c > d "e" 'f' 停水`)).toBe('a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos; 停水');
  });

  it('drops what XML 1.0 forbids (controls, lone surrogates, U+FFFE) and keeps tab, newline, return and astral characters', () => {
    const text = `x\u0000\u0001\u0008\u000b\u000c\u001f\udfff\ud800\ufffe\uffff\t\n\r😀y`; // \udfff\ud800: two lone halves, not a pair
    expect(escapeXml(text)).toBe('x\t\n\r😀y');
    const doc = toXml('r', { d: text });
    expect(readXml(doc).children[0]!.text).toBe('x\t\n\r😀y');
  });

  it('writes arrays as a wrapper repeating the named item element, null as an empty element, booleans and numbers as text', () => {
    const value = [{ code: 'a&b', n: 1.5, ok: true, none: null, formats: ['text/xml', 'application/json'] }];
    const doc = toXml('services', value, { services: 'service', formats: 'format' });
    expect(doc).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<services><service><code>a&amp;b</code><n>1.5</n><ok>true</ok><none/>'
      + '<formats><format>text/xml</format><format>application/json</format></formats></service></services>\n');
    expect(sparkOf(readXml(doc), ['services', 'formats'])).toEqual(asText(value));
  });

  it('refuses an array without an item name and an element name that is not one (programming errors, not output)', () => {
    expect(() => toXml('list', [1])).toThrow(/item element name/);
    expect(() => toXml('r', { 'bad name': 1 })).toThrow(/not an XML element name/);
  });

  it('the reader refuses what is not well-formed', () => {
    const head = '<?xml version="1.0" encoding="UTF-8"?>';
    for (const bad of [`${head}<a><b></a></b>`, `${head}<a>x & y</a>`, `${head}<a>x < y</a>`, `${head}<a>`, `${head}<a/><b/>`, `${head}<a>\u0001</a>`, '<a/>']) {
      expect(() => readXml(bad), bad).toThrow();
    }
    expect(readXml(`${head}<a>&#x4e2d;&#25991;&amp;</a>`).text).toBe('中文&');
  });
});
