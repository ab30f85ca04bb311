// Builds the staff app when its bundle is missing or older than its sources, so `npm start` and
// `npm test` work on a fresh clone without a separate build step, and cost nothing when up to date.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const webDir = path.resolve(import.meta.dirname, '..');
const bundle = path.join(webDir, 'dist', 'index.html');
const inputs = ['src', 'index.html', 'vite.config.ts', 'package.json', '../../packages/contract/src'];

function newestMtime(entry) {
  const full = path.resolve(webDir, entry);
  if (!fs.existsSync(full)) return 0;
  const stat = fs.statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...fs.readdirSync(full).map((name) => newestMtime(path.join(full, name))));
}

const built = fs.existsSync(bundle) ? fs.statSync(bundle).mtimeMs : 0;
if (built === 0 || Math.max(...inputs.map(newestMtime)) > built) {
  console.error(built === 0 ? 'Building the web app (first run)…' : 'Web app sources changed: rebuilding…');
  execFileSync(process.execPath, [path.resolve(webDir, '../../node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: webDir,
    stdio: 'inherit',
  });
}
