// A strict little XML reader for the JUnit tests: throws on anything not well-formed
// (unbalanced tags, unquoted or duplicate attributes, raw < or &, unknown entities, characters XML 1.0 forbids).

export interface XmlElement {
  readonly name: string;
  readonly attrs: Record<string, string>;
  readonly children: XmlElement[];
  /** Decoded text directly inside this element. */
  text: string;
}

const NAME = /^[A-Za-z_][\w.-]*/;
const FORBIDDEN = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function parseXml(xml: string): XmlElement {
  if (FORBIDDEN.test(xml)) throw new Error("a character XML 1.0 does not allow");
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at offset ${at}: ${JSON.stringify(xml.slice(at, at + 40))}`);
  };
  const skipSpace = () => {
    while (at < xml.length && /\s/.test(xml[at]!)) at++;
  };
  if (xml.startsWith("<?xml")) {
    const end = xml.indexOf("?>");
    if (end < 0) fail("unterminated declaration");
    at = end + 2;
  }
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  for (;;) {
    const lt = xml.indexOf("<", at);
    const text = xml.slice(at, lt < 0 ? xml.length : lt);
    const decoded = decode(text, fail);
    if (stack.length > 0) stack[stack.length - 1]!.text += decoded;
    else if (text.trim() !== "") fail("text outside the root element");
    if (lt < 0) break;
    at = lt + 1;
    if (xml[at] === "/") {
      at++;
      const name = NAME.exec(xml.slice(at))?.[0] ?? fail("bad closing tag");
      at += name.length;
      skipSpace();
      if (xml[at] !== ">") fail("bad closing tag");
      at++;
      const open = stack.pop();
      if (!open || open.name !== name) fail(`</${name}> does not close <${open?.name}>`);
      continue;
    }
    const name = NAME.exec(xml.slice(at))?.[0] ?? fail("bad tag name");
    at += name.length;
    const element: XmlElement = { name, attrs: {}, children: [], text: "" };
    for (;;) {
      const before = at;
      skipSpace();
      if (xml.startsWith("/>", at) || xml[at] === ">") break;
      if (at === before) fail("attributes must be separated by spaces");
      const attr = NAME.exec(xml.slice(at))?.[0] ?? fail("bad attribute name");
      at += attr.length;
      if (xml[at] !== "=") fail("attribute without =");
      at++;
      const quote = xml[at];
      if (quote !== '"' && quote !== "'") fail("unquoted attribute");
      const end = xml.indexOf(quote!, at + 1);
      if (end < 0) fail("unterminated attribute");
      const raw = xml.slice(at + 1, end);
      if (raw.includes("<")) fail("< in an attribute");
      if (attr in element.attrs) fail(`duplicate attribute ${attr}`);
      element.attrs[attr] = decode(raw, fail);
      at = end + 1;
    }
    const selfClosing = xml.startsWith("/>", at);
    at += selfClosing ? 2 : 1;
    if (stack.length > 0) stack[stack.length - 1]!.children.push(element);
    else if (root) fail("a second root element");
    else root = element;
    if (!selfClosing) stack.push(element);
  }
  if (stack.length > 0) throw new Error(`<${stack[stack.length - 1]!.name}> is never closed`);
  if (!root) throw new Error("no root element");
  return root;
}

function decode(text: string, fail: (why: string) => never): string {
  return text.replace(/&([^;]*);|&/g, (whole, entity: string | undefined) => {
    if (entity === undefined) return fail("a raw & in text");
    const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
    if (entity in named) return named[entity]!;
    const code = /^#x([0-9a-fA-F]+)$/.exec(entity)?.[1] ?? /^#([0-9]+)$/.exec(entity)?.[1];
    if (code === undefined) return fail(`unknown entity ${whole}`);
    return String.fromCodePoint(entity.startsWith("#x") ? parseInt(code, 16) : Number(code));
  });
}

/** Every element named `name` below (and including) `root`, in document order. */
export function findAll(root: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    if (e.name === name) found.push(e);
    e.children.forEach(walk);
  };
  walk(root);
  return found;
}
