#!/usr/bin/env node
// `npm start` on a fresh clone: install the npm packages if they are missing, then hand over to the
// TypeScript launcher (scripts/start.ts). Plain JavaScript because nothing else is installed yet.
'use strict';
const { spawnSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
if (!fs.existsSync(path.join(root, 'node_modules', 'tsx'))) {
  console.log('[start] Installing npm packages (first run)…');
  // `install` rather than `ci`: the lock file pins every version, and `npm ci` refuses a lock file
  // that lacks other platforms' optional builds (a registry mirror may serve only this platform's).
  const result = spawnSync(npm, ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'start.ts')], {
  cwd: root,
  stdio: 'inherit',
});
// Signals sent to this process are passed on to the launcher, which stops the stack once even when
// a terminal's Ctrl-C reaches both processes.
process.on('SIGINT', () => child.kill('SIGINT'));
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
