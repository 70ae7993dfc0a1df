// ESLint: typescript-eslint with type information (for no-floating-promises), and the Temporal
// workflow-file guard: nothing under workflows/ may import Node built-ins or I/O libraries, because
// workflow code must be deterministic and runs in Temporal's sandbox.
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = ['assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'http', 'http2', 'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'timers', 'tls', 'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib'];
const IO_LIBRARIES = ['twilio', 'twilio/*', 'express', 'pg', '@electric-sql/pglite', 'pino', 'prom-client', '@temporalio/client', '@temporalio/activity', '@temporalio/worker', '@temporalio/testing'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.data/**', '.test-data/**', 'coverage/**', '**/*.js', '**/*.mjs', 'emulator/public/**'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...NODE_BUILTINS, ...NODE_BUILTINS.map((name) => `node:${name}`)].map((name) => ({ name, message: 'Workflow code must not use Node built-ins (determinism, sandbox).' })),
          patterns: [
            { group: ['node:*'], message: 'Workflow code must not use Node built-ins (determinism, sandbox).' },
            { group: IO_LIBRARIES, message: 'Workflow code must not do I/O: use an activity through the effects port.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'Use sleep/condition (durable timers).' }, { name: 'setInterval', message: 'Use sleep/condition (durable timers).' }, { name: 'process', message: 'No process in workflow code.' }, { name: 'fetch', message: 'No I/O in workflow code.' }],
    },
  },
);
