// Bundling the workflow code: liquidjs's browser build is pinned, so a project-wide browserslist or a
// changed resolver can never pull its Node build (fs, path, ...) into the sandbox (docs/sdk-notes.md §2).
import { bundleWorkflowCode, type BundleOptions } from '@temporalio/worker';
import * as path from 'node:path';

export const WORKFLOWS_PATH = path.resolve(__dirname, '../workflows/index.ts');

export const bundlerOptions: BundleOptions['webpackConfigHook'] = (config) => ({
  ...config,
  resolve: {
    ...config.resolve,
    alias: {
      ...(config.resolve?.alias as Record<string, string> | undefined),
      liquidjs$: require.resolve('liquidjs/dist/liquid.browser.mjs'),
    },
  },
});

export async function bundleWorkflows(): Promise<{ code: string }> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, webpackConfigHook: bundlerOptions });
}
