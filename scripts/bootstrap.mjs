// Entry of `npm start` / `npm test` / `npm run toolchain` on a fresh clone: installs the
// dependencies when node_modules is missing or older than package-lock.json (`npm ci`), then
// runs the given TypeScript script in this process through tsx. Plain Node, no dependencies.
//
//   node scripts/bootstrap.mjs scripts/start.ts [args…]
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => process.stderr.write(`${line}\n`);

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  say(
    `✗ praxisflow needs Node.js 20.19 or newer; this is ${process.version} (${process.execPath}).`,
  );
  process.exit(1);
}

const [script, ...args] = process.argv.slice(2);
if (!script) {
  say('usage: node scripts/bootstrap.mjs <script.ts> [args…]');
  process.exit(2);
}

function installReason() {
  const hidden = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(hidden)) return 'node_modules is missing';
  const lock = join(root, 'package-lock.json');
  if (existsSync(lock) && statSync(lock).mtimeMs > statSync(hidden).mtimeMs) {
    return 'package-lock.json is newer than node_modules';
  }
  return undefined;
}

/** Runs npm with our stdio; returns its status and what it wrote to stderr. */
function npm(args) {
  // Under `npm run`, npm_execpath is the npm that runs us: use the same one.
  const npmCli = process.env.npm_execpath;
  const [command, prefix] = npmCli?.endsWith('.js') ? [process.execPath, [npmCli]] : ['npm', []];
  const result = spawnSync(command, [...prefix, ...args, '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: ['inherit', 'inherit', 'pipe'],
    encoding: 'utf8',
  });
  return { ok: !result.error && result.status === 0, stderr: result.stderr ?? '', result };
}

const reason = installReason();
if (reason) {
  say(`▸ installing dependencies with npm ci (${reason}) …`);
  const started = Date.now();
  let install = npm(['ci']);
  if (!install.ok && install.stderr.includes('can only install packages when your package.json')) {
    // The lock lacks entries npm ci wants, e.g. other platforms' optional binaries that a
    // filtered registry mirror could not resolve when package-lock.json was written.
    const missing = install.stderr.split('\n').filter((line) => line.includes('Missing:'));
    say(`! npm ci: package-lock.json is out of sync with package.json (${missing.length} missing:`);
    for (const line of missing.slice(0, 3)) say(`    ${line.replace(/^npm error /, '')}`);
    say('    …) — falling back to npm install. Fix for good: regenerate package-lock.json');
    say('    with `npm install` against the full npm registry.');
    install = npm(['install']);
  }
  process.stderr.write(install.stderr);
  if (!install.ok) {
    const { error, status } = install.result;
    say(`✗ installing the dependencies failed (${error?.message ?? `exit code ${status}`}).`);
    say('  check: is the npm registry reachable (npm config get registry)? Does package-lock.json');
    say('  match package.json (npm install updates it)?');
    process.exit(1);
  }
  say(`✓ dependencies installed in ${Math.round((Date.now() - started) / 1000)} s`);
}

const { register } = await import('tsx/esm/api');
register();
const entry = resolve(root, script);
process.argv = [process.argv[0], entry, ...args];
await import(pathToFileURL(entry).href);
