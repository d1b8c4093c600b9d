/**
 * A minimal XML well-formedness check for the hand-written SVG icons (no parser library is a
 * dependency of this repository): one root element, tags balanced and properly nested, names
 * well-formed, attributes quoted and not repeated, `&` only in the five predefined entities or a
 * character reference, no `<` in attribute values, comments without `--`, and nothing but
 * comments, processing instructions and whitespace around the root. A DOCTYPE is refused (an
 * icon has no business declaring entities). Throws with the line and column of the first problem.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
}

const NAME = "[A-Za-z_:][-A-Za-z0-9_.:]*";
const REF = /&(?:lt|gt|amp|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);/y;

/** Parses `text` and returns its root element; throws when it is not well-formed. */
export function parseWellFormedXml(text: string): XmlElement {
  let i = 0;
  const fail = (what: string): never => {
    const before = text.slice(0, i).split("\n");
    throw new Error(`${what} at line ${before.length}, column ${before[before.length - 1].length + 1}`);
  };
  const at = (re: RegExp): RegExpExecArray | null => {
    const sticky = new RegExp(re.source, "y");
    sticky.lastIndex = i;
    const m = sticky.exec(text);
    if (m) i = sticky.lastIndex;
    return m;
  };
  const checkText = (s: string, where: string): void => {
    for (let k = s.indexOf("&"); k >= 0; k = s.indexOf("&", k + 1)) {
      REF.lastIndex = k;
      if (!REF.test(s)) fail(`a bare "&" in ${where}`);
    }
  };
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  if (!at(/<\?xml\b[^?]*\?>/) && text.startsWith("<?xml", i)) fail("a malformed XML declaration");
  while (i < text.length) {
    if (text.startsWith("<!--", i)) {
      const end = text.indexOf("-->", i + 4);
      if (end < 0) fail("an unclosed comment");
      if (text.slice(i + 4, end).includes("--")) fail('"--" inside a comment');
      i = end + 3;
    } else if (text.startsWith("<![CDATA[", i)) {
      if (!stack.length) fail("CDATA outside the root element");
      const end = text.indexOf("]]>", i);
      if (end < 0) fail("an unclosed CDATA section");
      i = end + 3;
    } else if (text.startsWith("<!", i)) {
      fail("a DOCTYPE or other declaration");
    } else if (text.startsWith("<?", i)) {
      const end = text.indexOf("?>", i);
      const pi = at(new RegExp(`<\\?(${NAME})`));
      if (end < 0 || !pi || pi[1].toLowerCase() === "xml") fail("a malformed processing instruction");
      i = end + 2;
    } else if (text.startsWith("</", i)) {
      const m = at(new RegExp(`</(${NAME})\\s*>`)) ?? fail("a malformed end tag");
      const open = stack.pop();
      if (!open) fail(`an end tag </${m[1]}> with no open element`);
      else if (open.name !== m[1]) fail(`</${m[1]}> closing <${open.name}>`);
    } else if (text[i] === "<") {
      const start = at(new RegExp(`<(${NAME})`)) ?? fail("a malformed start tag");
      const parent = stack[stack.length - 1];
      if (!parent && root) fail("a second root element");
      const el: XmlElement = { name: start[1], attributes: {}, children: [] };
      for (;;) {
        if (at(/\s*\/>/)) break;
        if (at(/\s*>/)) {
          stack.push(el);
          break;
        }
        const a = at(new RegExp(`\\s+(${NAME})\\s*=\\s*(?:"([^"]*)"|'([^']*)')`)) ?? fail(`a malformed attribute in <${el.name}>`);
        const value = a[2] ?? a[3];
        if (Object.hasOwn(el.attributes, a[1])) fail(`the attribute ${a[1]} repeated in <${el.name}>`);
        if (value.includes("<")) fail(`"<" in the value of ${a[1]}`);
        checkText(value, `the value of ${a[1]}`);
        el.attributes[a[1]] = value;
      }
      if (parent) parent.children.push(el);
      else root = el;
    } else {
      const end = text.indexOf("<", i);
      const s = text.slice(i, end < 0 ? text.length : end);
      if (!stack.length && s.trim()) fail("text outside the root element");
      if (s.includes("]]>")) fail('"]]>" in text');
      checkText(s, "text");
      i += s.length;
    }
  }
  if (stack.length) fail(`<${stack[stack.length - 1].name}> not closed`);
  return root ?? fail("no root element");
}
