/**
 * A small XML reader for the SCXML test documents: elements, attributes, text, CDATA, comments
 * (dropped), the five predefined entities and numeric character references. Namespace prefixes
 * are dropped from element names (`scxml:send` → `send`). No DTDs, no processing instructions
 * but the XML declaration. The result is plain JSON, so it can travel as workflow input.
 */
import type { XmlElement, XmlNode } from '../../tests/fixtures/scxml-actions.js';

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X'))
      return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    return ENTITIES[name] ?? whole;
  });
}

/** An element while it is read: its children still grow. */
interface OpenElement extends XmlElement {
  readonly children: XmlNode[];
}

const localName = (name: string): string => name.slice(name.indexOf(':') + 1);

/** The document element of `source`; throws on markup it cannot read. */
export function parseXml(source: string): XmlElement {
  let at = 0;
  const root: OpenElement = { name: '#document', attributes: {}, children: [] };
  const stack: OpenElement[] = [root];
  const fail = (why: string): never => {
    throw new Error(`XML: ${why} at offset ${at}`);
  };
  while (at < source.length) {
    const parent = stack.at(-1)!;
    if (source.startsWith('<!--', at)) {
      const end = source.indexOf('-->', at);
      if (end === -1) fail('unterminated comment');
      at = end + 3;
    } else if (source.startsWith('<![CDATA[', at)) {
      const end = source.indexOf(']]>', at);
      if (end === -1) fail('unterminated CDATA section');
      parent.children.push({ text: source.slice(at + 9, end) });
      at = end + 3;
    } else if (source.startsWith('<?', at) || source.startsWith('<!', at)) {
      const end = source.indexOf('>', at);
      if (end === -1) fail('unterminated declaration');
      at = end + 1;
    } else if (source.startsWith('</', at)) {
      const end = source.indexOf('>', at);
      const name = localName(source.slice(at + 2, end).trim());
      const open = stack.pop();
      if (!open || open.name !== name) fail(`</${name}> closes <${open?.name}>`);
      at = end + 1;
    } else if (source[at] === '<') {
      const tag = /^<([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(
        source.slice(at),
      );
      if (!tag) return fail('malformed tag');
      const attributes: Record<string, string> = {};
      for (const [, key, double, single] of tag[2]!.matchAll(
        /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g,
      )) {
        if (key!.startsWith('xmlns')) continue;
        attributes[localName(key!)] = decode(double ?? single ?? '');
      }
      const element: OpenElement = { name: localName(tag[1]!), attributes, children: [] };
      parent.children.push(element);
      if (tag[3] !== '/') stack.push(element);
      at += tag[0].length;
    } else {
      const end = source.indexOf('<', at);
      const text = source.slice(at, end === -1 ? undefined : end);
      if (text.trim()) parent.children.push({ text: decode(text) });
      at = end === -1 ? source.length : end;
    }
  }
  if (stack.length !== 1) fail(`<${stack.at(-1)!.name}> is not closed`);
  const document = root.children.find((node: XmlNode): node is XmlElement => 'name' in node);
  if (!document) return fail('no document element');
  return document;
}
