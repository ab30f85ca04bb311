import { domainToASCII, domainToUnicode } from 'node:url';
import { type IpAddress, formatIp, parseIp } from '../../kernel/ip.ts';

/** One pasted item, understood: an address or a domain (from a URL or an e-mail address too), or why not. */
export type Indicator =
  | { input: string; kind: 'ip'; address: IpAddress; normalized: string; url: string | null }
  | {
      input: string;
      kind: 'domain';
      /** Lower-case punycode (A-label) form, as DNS and the directory store it. */
      normalized: string;
      /** The Unicode form a person reads; equals `normalized` for an ASCII name. */
      display: string;
      url: string | null;
    }
  | { input: string; kind: 'invalid'; error: string };

const MAX_INPUT_LENGTH = 2048;

// Defanging conventions seen in reports and threat feeds, undone before parsing.
const REFANG: readonly [RegExp, string][] = [
  [/^h(?:xx|\*\*|XX|xX|Xx)p(s?)(?=[:[(])/i, 'http$1'],
  [/^fxp(s?)(?=[:[(])/i, 'ftp$1'],
  [/\[:\]\/\/|\[:\/\/\]|\(:\/\/\)|\[:\/\]\//g, '://'],
  [/\[:\]|\(:\)/g, ':'],
  [/\[(?:\.|dot)\]|\((?:\.|dot)\)|\{(?:\.|dot)\}|\[\s\.\s\]|\\\./gi, '.'],
  [/\[@\]|\(@\)|\[at\]|\(at\)/gi, '@'],
  [/\[\/\]/g, '/'],
];

/** Undoes defanging: `hxxps[:]//example[.]com` → `https://example.com`. */
export function refang(text: string): string {
  let out = text;
  for (const [pattern, replacement] of REFANG) out = out.replace(pattern, replacement);
  return out;
}

/**
 * Reads one pasted item. Untrusted input: anything may arrive here.
 * @example parseIndicator('hxxp://1.2.3[.]4/x') // { kind: 'ip', normalized: '1.2.3.4', url: 'http://1.2.3.4/x', ... }
 */
export function parseIndicator(raw: string): Indicator {
  const input = raw;
  if (raw.length > MAX_INPUT_LENGTH) return { input: raw.slice(0, 100), kind: 'invalid', error: `longer than ${MAX_INPUT_LENGTH} characters` };
  // Quotes, angle brackets and trailing punctuation come along when lists are copied from mail.
  const text = refang(
    raw
      .trim()
      .replace(/^["'<(]+|["'>),;]+$/g, '')
      .trim(),
  );
  if (text === '') return { input, kind: 'invalid', error: 'empty' };
  if (/\s/.test(text) || [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
    return { input, kind: 'invalid', error: 'contains spaces or control characters' };

  const schemeMatch = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (schemeMatch) return fromUrl(input, text);

  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const address = parseIp(bare);
  if (address) return { input, kind: 'ip', address, normalized: formatIp(address), url: null };
  if (/^[\d.]+$/.test(text)) return { input, kind: 'invalid', error: 'not a valid IPv4 address (four numbers 0-255, no leading zeros)' };
  if (/^[0-9a-f:]+$/i.test(text) && text.includes(':') && !/^[^:]+:\d+$/.test(text)) return { input, kind: 'invalid', error: 'not a valid IPv6 address' };
  if (/^[^@/]+@[^@/]+$/.test(text)) return fromHost(input, text.slice(text.indexOf('@') + 1), null);
  // A host with a path or port but no scheme, as in `example[.]com/login`.
  if (/^[^/?#]+[/?#:]/.test(text)) return fromUrl(input, `http://${text}`);
  return fromHost(input, text, null);
}

function fromUrl(input: string, text: string): Indicator {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { input, kind: 'invalid', error: 'not a valid URL' };
  }
  if (!url.hostname) return { input, kind: 'invalid', error: 'the URL has no host' };
  return fromHost(input, url.hostname, url.href);
}

function fromHost(input: string, host: string, url: string | null): Indicator {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const address = parseIp(bare);
  if (address) return { input, kind: 'ip', address, normalized: formatIp(address), url };
  const name = bare.replace(/\.$/, '');
  const ascii = domainToASCII(name);
  if (ascii === '') return { input, kind: 'invalid', error: 'not a valid domain name' };
  const labels = ascii.split('.');
  if (ascii.length > 253) return { input, kind: 'invalid', error: 'domain name longer than 253 characters' };
  if (labels.length < 2) return { input, kind: 'invalid', error: 'not an IP address, domain or URL' };
  for (const label of labels) {
    if (label.length === 0 || label.length > 63 || !/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(label)) {
      return { input, kind: 'invalid', error: `not a valid domain name (label "${label.slice(0, 63)}")` };
    }
  }
  if (/^\d+$/.test(labels[labels.length - 1]!)) return { input, kind: 'invalid', error: 'not a valid domain name (numeric top-level label)' };
  return { input, kind: 'domain', normalized: ascii, display: domainToUnicode(ascii), url };
}

/**
 * The name and each parent up to (not including) the top-level label: where a directory entry for a
 * parent domain covers its subdomains. @example parentDomains('a.b.example.jp') // ['a.b.example.jp', 'b.example.jp', 'example.jp']
 */
export function parentDomains(domain: string): string[] {
  const labels = domain.split('.');
  const out: string[] = [];
  for (let i = 0; i < labels.length - 1; i++) out.push(labels.slice(i).join('.'));
  return out;
}
