import { SaxesParser } from 'saxes';

/** An element, namespaces dropped (local names), text joined. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export interface XmlLimits {
  maxBytes: number;
  maxDepth: number;
  maxElements: number;
  maxTextBytes: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxBytes: 2 * 1024 * 1024, maxDepth: 64, maxElements: 100_000, maxTextBytes: 4 * 1024 * 1024 };

/** The input is not XML we will read: malformed, a DTD, too deep, too large. The message says which. */
export class XmlRefusedError extends Error {}

/**
 * Reads untrusted XML into a small tree. No DTD is accepted at all (so no entity expansion, no billion
 * laughs, no external entities: saxes never fetches anything and knows only the five predefined
 * entities); depth, element count and text size are capped.
 * @example parseXml('<a x="1"><b>hi</b></a>').children[0].text // 'hi'
 */
export function parseXml(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlElement {
  if (Buffer.byteLength(text) > limits.maxBytes) throw new XmlRefusedError(`The XML is larger than ${limits.maxBytes} bytes`);
  const parser = new SaxesParser({ xmlns: false, position: false });
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let elements = 0;
  let textBytes = 0;
  // Handlers record the first failure; parsing continues to the end of the input but builds nothing more.
  const state: { failure: XmlRefusedError | null } = { failure: null };
  const fail = (message: string) => {
    state.failure ??= new XmlRefusedError(message);
  };
  parser.on('doctype', () => fail('A DOCTYPE (DTD) is not accepted: entity declarations are refused'));
  parser.on('opentag', (tag) => {
    if (state.failure) return;
    if (++elements > limits.maxElements) return fail(`More than ${limits.maxElements} elements`);
    if (stack.length >= limits.maxDepth) return fail(`Nested deeper than ${limits.maxDepth} elements`);
    const attributes: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [name, value] of Object.entries(tag.attributes)) attributes[localName(name)] = String(value);
    const element: XmlElement = { name: localName(tag.name), attributes, children: [], text: '' };
    const parent = stack.at(-1);
    if (parent) parent.children.push(element);
    else root = element;
    stack.push(element);
  });
  const onText = (value: string) => {
    if (state.failure) return;
    textBytes += value.length;
    if (textBytes > limits.maxTextBytes) return fail(`More than ${limits.maxTextBytes} characters of text`);
    const current = stack.at(-1);
    if (current) current.text += value;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    if (!state.failure) stack.pop();
  });
  parser.on('error', (error) => fail(`Not well-formed XML: ${error.message.slice(0, 200)}`));
  try {
    parser.write(text).close();
  } catch (error) {
    fail(`Not well-formed XML: ${(error as Error).message.slice(0, 200)}`);
  }
  if (state.failure) throw state.failure;
  if (!root) throw new XmlRefusedError('The XML has no root element');
  return root;
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon >= 0 ? name.slice(colon + 1) : name;
}

/** Every element with the name, depth first, at most `max`. */
export function findAll(root: XmlElement, name: string, max = 10_000, skip: readonly string[] = []): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (element: XmlElement) => {
    if (out.length >= max || skip.includes(element.name)) return;
    if (element.name === name) out.push(element);
    for (const child of element.children) walk(child);
  };
  walk(root);
  return out;
}

export const firstText = (root: XmlElement, name: string): string | null => findAll(root, name, 1)[0]?.text.trim() || null;
