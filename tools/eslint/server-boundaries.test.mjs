import path from 'node:path';
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, it } from 'vitest';
import plugin from './server-boundaries.mjs';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const src = path.resolve(import.meta.dirname, '../../apps/server/src');
const at = (file) => path.join(src, file);
const tester = new RuleTester({ languageOptions: { parser: tseslint.parser, ecmaVersion: 2024, sourceType: 'module' } });

tester.run('server-boundaries', plugin.rules.boundaries, {
  valid: [
    { name: 'a domain imports another through its index', filename: at('feeds/feeds.service.ts'), code: "import { mail } from '../mail/index.ts';" },
    {
      name: 'a domain imports its own files and the infrastructure',
      filename: at('feeds/feeds.service.ts'),
      code: "import { a } from './ingest.ts'; import { b } from '../kernel/errors.ts'; import { c } from '../db/database.ts'; import { d } from '../http/openapi.ts'; import { e } from '../jobs/job-queue.ts';",
    },
    {
      name: 'a subfolder of a domain is the same domain',
      filename: at('contacts/network/network.service.ts'),
      code: "import { x } from '../contacts.repository.ts';",
    },
    {
      name: 'kernel imports kernel and packages',
      filename: at('kernel/bounded-fetch.ts'),
      code: "import dns from 'node:dns'; import { parseIp } from './ip.ts'; import { Type } from '@renkei/contract';",
    },
    {
      name: 'the composition root imports domains through their index',
      filename: at('app/services.ts'),
      code: "import { createMailService } from '../mail/index.ts'; import { createJobQueue } from '../jobs/job-queue.ts';",
    },
    {
      name: 'a test of an infrastructure folder reaches a domain through its index',
      filename: at('cli/cli.test.ts'),
      code: "import { verifyAuditChain } from '../audit/index.ts';",
    },
    {
      name: 'a test borrows another domain test kit',
      filename: at('feeds/feeds.notifications.test.ts'),
      code: "import { kit } from '../mail/mail-test-kit.ts'; import { app } from '../testing/test-app.ts';",
    },
  ],
  invalid: [
    {
      name: 'a deep import into another domain',
      filename: at('incidents/incidents.service.ts'),
      code: "import { x } from '../mail/mail.service.ts';",
      errors: [{ messageId: 'forbidden' }],
    },
    {
      name: 'a deep re-export from another domain',
      filename: at('incidents/index.ts'),
      code: "export { x } from '../contacts/network/indicator.ts';",
      errors: [{ messageId: 'forbidden' }],
    },
    {
      name: 'a dynamic deep import',
      filename: at('feeds/feeds.cli.ts'),
      code: "await import('../contacts/network/network.cli.ts');",
      errors: [{ messageId: 'forbidden' }],
    },
    {
      name: 'kernel importing a domain',
      filename: at('kernel/csv.ts'),
      code: "import { x } from '../contacts/index.ts';",
      errors: [{ messageId: 'forbidden' }],
    },
    {
      name: 'kernel importing infrastructure',
      filename: at('kernel/csv.ts'),
      code: "import { x } from '../http/openapi.ts';",
      errors: [{ messageId: 'forbidden' }],
    },
    {
      name: 'a domain importing the composition root',
      filename: at('health/health.routes.ts'),
      code: "import { type Services } from '../app/services.ts';",
      errors: [{ messageId: 'forbidden' }],
    },
    {
      name: 'infrastructure importing a domain',
      filename: at('http/auth.ts'),
      code: "import { x } from '../accounts/index.ts';",
      errors: [{ messageId: 'forbidden' }],
    },
    {
      name: 'a domain importing the test harness outside tests',
      filename: at('mail/mail.service.ts'),
      code: "import { x } from '../testing/test-app.ts';",
      errors: [{ messageId: 'forbidden' }],
    },
  ],
});
