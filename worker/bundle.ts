// Bundling the workflow code: liquidjs's browser build is pinned, so a project-wide browserslist or a
// changed resolver can never pull its Node build (fs, path, ...) into the sandbox (docs/sdk-notes.md §2).
//
// Preloaded modules: with reuseV8Context (the SDK's default), the worker evaluates again, for every
// execution it loads, each bundled module the workflow module imports, unless that module was loaded
// while the reusable context started (BundleOptions.preloadModules): those are evaluated once per
// worker thread and shared by every execution. liquidjs, the engine and the widgets are preloaded:
// without it each execution paid for evaluating liquidjs and our modules again and kept its own copy
// of them in memory. What a preloaded module must be (and every module it imports, which is shared
// too): pure at module scope (no workflow API: no activator exists yet), and without per-execution
// state in module scope (a cache is fine only if what it gives is a pure function of its key: the
// template engine's parse cache). The SDK deep-freezes what such modules export (functions only
// shallowly), so no exported object may be changed later. studio-execution.ts stays per execution:
// it calls workflow APIs (proxyActivities, defineSignal) at module scope.
import { bundleWorkflowCode, type BundleOptions } from '@temporalio/worker';
import * as path from 'node:path';

export const WORKFLOWS_PATH = path.resolve(__dirname, '../workflows/index.ts');

type WebpackConfiguration = Parameters<NonNullable<BundleOptions['webpackConfigHook']>>[0];
type WebpackRule = NonNullable<NonNullable<WebpackConfiguration['module']>['rules']>[number];

/** The language level our TypeScript is compiled to in the bundle: the one tsconfig.json and the tests use. */
const WORKFLOW_CODE_TARGET = 'es2022';

export const bundlerOptions: BundleOptions['webpackConfigHook'] = (config) => ({
  ...config,
  resolve: {
    ...config.resolve,
    alias: {
      ...(config.resolve?.alias as Record<string, string> | undefined),
      liquidjs$: require.resolve('liquidjs/dist/liquid.browser.mjs'),
    },
  },
  module: config.module && { ...config.module, rules: config.module.rules?.map(withWorkflowCodeTarget) },
});

/**
 * The SDK compiles workflow TypeScript with swc for ES2017, which turns every object spread into
 * helper calls (several times slower than the native spread, and the interpreter spreads contexts
 * at every step); Node runs ES2022 natively, and tsconfig.json and the tests already compile for it.
 * A rule of another shape is left as it is (test/unit/workflow-bundle.test.ts notices).
 */
function withWorkflowCodeTarget(rule: WebpackRule): WebpackRule {
  if (!rule || typeof rule !== 'object' || !rule.use || typeof rule.use !== 'object' || Array.isArray(rule.use)) return rule;
  const use = rule.use as { loader?: string; options?: { jsc?: Record<string, unknown> } };
  if (!use.loader?.includes('swc-loader') || !use.options?.jsc) return rule;
  return { ...rule, use: { ...use, options: { ...use.options, jsc: { ...use.options.jsc, target: WORKFLOW_CODE_TARGET } } } };
}

/**
 * Loaded once per worker thread and shared by every execution (see above), with all they import;
 * absolute paths, so any workflowsPath can use them. liquidjs is shared through liquid.ts: naming it
 * here would do nothing, as webpack drops an unused import of a package declaring `sideEffects: false`.
 */
export const PRELOADED_MODULES: readonly string[] = [
  path.resolve(__dirname, '../workflows/engine/liquid.ts'),
  path.resolve(__dirname, '../workflows/engine/interpreter.ts'),
  path.resolve(__dirname, '../workflows/widgets/registry.ts'),
  path.resolve(__dirname, '../workflows/search-attributes.ts'),
];

/** What every bundle of the Studio workflow is built with: the worker's own, the tests', the benchmark's, the replays'. */
export const workflowBundlerOptions = {
  webpackConfigHook: bundlerOptions,
  preloadModules: [...PRELOADED_MODULES],
} satisfies Pick<BundleOptions, 'webpackConfigHook' | 'preloadModules'>;

export async function bundleWorkflows(): Promise<{ code: string }> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, ...workflowBundlerOptions });
}
