#!/usr/bin/env node
// Set-up shared by `npm test` and `npm run demo`, so each works as the first command in a fresh
// clone: installs the npm dependencies when node_modules is missing or older than the lockfile.
// The broker jars and the broker itself are set up later by scripts/kafka/start.sh (Maven, Java).
// Plain Node, no dependencies: it runs before anything is installed.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const lockfile = join(root, 'package-lock.json');
// npm writes this copy of the lockfile at the end of every install.
const installed = join(root, 'node_modules/.package-lock.json');

function needsInstall() {
  if (!existsSync(installed)) return true;
  if (!existsSync(lockfile)) return false;
  // A second of slack: npm may touch package-lock.json just after node_modules.
  return statSync(lockfile).mtimeMs > statSync(installed).mtimeMs + 1000;
}

if (needsInstall()) {
  const args = existsSync(lockfile) ? ['ci'] : ['install'];
  console.error(`kafka-stage: installing npm dependencies (npm ${args[0]})`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}
