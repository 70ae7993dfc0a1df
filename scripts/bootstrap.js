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
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
const child = spawn(process.execPath, [require.resolve('tsx/cli', { paths: [root] }), path.join(root, 'scripts', 'start.ts')], {
  cwd: root,
  stdio: 'inherit',
});
// The launcher handles Ctrl-C itself (it receives the same SIGINT from the terminal); SIGTERM sent to
// this process is passed on.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
