// The server's layering, enforced: which folder of apps/server/src may import which. The table is the
// rule; docs/ARCHITECTURE.md shows the same table. Domains meet only through each other's index.ts.
import path from 'node:path';

/** The domains: each a folder with an index.ts manifest. */
export const DOMAINS = ['accounts', 'audit', 'blobs', 'contacts', 'mail', 'incidents', 'feeds', 'statistics', 'health', 'portal', 'vulnerabilities'];

const INFRA_BELOW_DOMAINS = ['kernel', 'config', 'db', 'policy', 'i18n', 'http', 'jobs', 'cli'];

/**
 * Layer → the layers it may import (besides itself and npm/node packages). `domain` means: any domain,
 * through its index.ts only. Test files and test kits may also import `testing`, `app`, `db`, `config` and domains' index.ts.
 */
export const ALLOWED_IMPORTS = {
  kernel: [],
  config: ['kernel'],
  db: ['kernel', 'config'],
  policy: ['kernel'],
  i18n: ['kernel'],
  http: ['kernel', 'config', 'db', 'policy', 'i18n'],
  jobs: ['kernel', 'config', 'db', 'policy'],
  cli: ['kernel', 'config', 'db', 'policy'],
  domain: [...INFRA_BELOW_DOMAINS, 'domain'],
  app: [...INFRA_BELOW_DOMAINS, 'domain'],
  testing: [...INFRA_BELOW_DOMAINS, 'domain', 'app'],
};

const SRC = `${path.sep}apps${path.sep}server${path.sep}src${path.sep}`;

/** Where a file sits: its layer and, for a domain, which one and whether it is the manifest. */
export function locate(file) {
  const at = file.lastIndexOf(SRC);
  if (at < 0) return null;
  const relative = file.slice(at + SRC.length).split(path.sep);
  const top = relative[0];
  if (relative.length === 1) {
    if (top === 'config.ts' || top === 'version.ts') return { layer: 'config', relative };
    return { layer: 'app', relative }; // main.ts, server.ts: entry points of the composition root
  }
  if (DOMAINS.includes(top)) return { layer: 'domain', domain: top, isIndex: relative.length === 2 && relative[1] === 'index.ts', relative };
  if (top in ALLOWED_IMPORTS) return { layer: top, relative };
  return { layer: 'unknown', relative };
}

const TEST_KIT = /(\.test|-test-kit|\.factories|-test-server|^test-keys)\.ts$/;
/** Test files and the kits only tests use (factories, key fixtures, test servers). */
export function isTestCode(loc) {
  const name = loc.relative.at(-1) ?? '';
  return TEST_KIT.test(name) || loc.relative.includes('testing');
}

function problem(from, to) {
  if (to.layer === 'unknown') return null;
  if (from.layer === 'domain' && to.layer === 'domain') {
    if (from.domain === to.domain) return null;
    if (to.isIndex) return null;
    if (isTestCode(from) && isTestCode(to)) return null; // a test may borrow another domain's test kit
    return `imports another domain's file: import ${to.relative.join('/')} only through ${to.domain}/index.ts`;
  }
  if (from.layer === to.layer) return null;
  const allowed = [...ALLOWED_IMPORTS[from.layer]];
  // Tests run against a real database, so any test may open one.
  if (isTestCode(from)) allowed.push('testing', 'app', 'domain', 'db', 'config');
  if (to.layer === 'domain') {
    if (!allowed.includes('domain')) return `${from.layer}/ sits below the domains and may not import ${to.relative.join('/')}`;
    return to.isIndex || (from.layer === 'testing' && isTestCode(to))
      ? null
      : `imports ${to.relative.join('/')}: reach a domain only through ${to.domain}/index.ts`;
  }
  if (allowed.includes(to.layer)) return null;
  if (from.layer === 'kernel') return `kernel/ may import only kernel/ and packages, not ${to.relative.join('/')}`;
  return `${from.layer === 'domain' ? `a domain (${from.domain}/)` : `${from.layer}/`} may not import ${to.relative.join('/')} (${to.layer}/); allowed: ${ALLOWED_IMPORTS[from.layer].join(', ') || 'nothing outside itself'}`;
}

/** @type {import('eslint').Rule.RuleModule} */
const boundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Layering of apps/server/src: kernel at the bottom, domains through their index.ts, app on top' },
    schema: [],
    messages: { forbidden: '{{detail}}' },
  },
  create(context) {
    const filename = context.filename;
    const from = locate(filename);
    if (!from) return {};
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const to = locate(path.resolve(path.dirname(filename), source));
      if (!to) return;
      const detail = problem(from, to);
      if (detail) context.report({ node, messageId: 'forbidden', data: { detail } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export default { rules: { boundaries } };
