// The worker's workflow bundle (worker/bundle.ts): the engine, every widget and liquidjs are
// preloaded (evaluated once per worker thread and shared by every execution), the workflow module
// is not, and our TypeScript is compiled for ES2022. Losing any of this would break no test that runs
// a flow: every execution would only cost more CPU and memory again (bench/README.md).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflows } from '../../worker/bundle';

const WIDGETS_DIR = path.join(__dirname, '../../workflows/widgets');

/** The bundle's webpack modules (a development build: a `/***\/ "id"` line opens each), each with the ids it requires. */
function moduleGraph(code: string): Map<string, { source: string; requires: string[] }> {
  const graph = new Map<string, { source: string; requires: string[] }>();
  const parts = code.split(/^\/\*{3}\/ "([^"]+)":?$/m);
  for (let index = 1; index + 1 < parts.length; index += 2) {
    const source = parts[index + 1];
    graph.set(parts[index], { source, requires: requiredIds(source) });
  }
  return graph;
}

function requiredIds(source: string): string[] {
  return [...source.matchAll(/__webpack_require__\((?:\/\*[^*]*\*\/\s*)*"([^"]+)"\)/g)].map((match) => match[1]);
}

function closure(graph: Map<string, { requires: string[] }>, roots: string[]): Set<string> {
  const seen = new Set<string>();
  const pending = [...roots];
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    pending.push(...(graph.get(id)?.requires ?? []));
  }
  return seen;
}

describe('the workflow bundle', () => {
  let code = '';
  let graph = new Map<string, { source: string; requires: string[] }>();
  let preloaded = new Set<string>();

  beforeAll(async () => {
    code = (await bundleWorkflows()).code;
    graph = moduleGraph(code);
    const preloadFunction = /exports\.preloadModules = function preloadModules\(\) \{([\s\S]*?)\n\}/.exec(code);
    preloaded = closure(graph, requiredIds(preloadFunction?.[1] ?? ''));
  }, 120_000);

  const isPreloaded = (suffix: string) => [...preloaded].some((id) => id.endsWith(suffix));

  it('is split into modules this test can read', () => {
    expect(graph.size).toBeGreaterThan(50);
    expect([...graph.keys()].some((id) => id.endsWith('workflows/studio-execution.ts'))).toBe(true);
  });

  it('preloads the interpreter, the template engine with liquidjs, and every widget', () => {
    expect(isPreloaded('workflows/engine/interpreter.ts')).toBe(true);
    expect(isPreloaded('workflows/engine/liquid.ts')).toBe(true);
    expect(isPreloaded('node_modules/liquidjs/dist/liquid.browser.mjs')).toBe(true);
    const widgetFiles = fs.readdirSync(WIDGETS_DIR).filter((file) => file.endsWith('.ts'));
    expect(widgetFiles.length).toBeGreaterThanOrEqual(10);
    for (const file of widgetFiles) expect({ file, preloaded: isPreloaded(`workflows/widgets/${file}`) }).toEqual({ file, preloaded: true });
  });

  it('keeps the workflow module per execution, and preloads nothing that imports the workflow API', () => {
    // A preloaded module is evaluated before any workflow exists: its module scope must not be able to call workflow APIs.
    expect(isPreloaded('workflows/studio-execution.ts')).toBe(false);
    expect(isPreloaded('workflows/sinks.ts')).toBe(false);
    expect(isPreloaded('@temporalio/workflow/lib/index.js')).toBe(false);
  });

  it('compiles our TypeScript for ES2022 (native object spread, no helpers)', () => {
    const ours = [...graph.entries()].filter(([id]) => /(^|\/)workflows\/.+\.ts$/.test(id));
    expect(ours.length).toBeGreaterThan(10);
    for (const [id, { source }] of ours) expect({ id, helpers: source.match(/\b_object_spread(_props)?\(/g) ?? [] }).toEqual({ id, helpers: [] });
    expect(graph.get(ours.find(([id]) => id.endsWith('workflows/engine/interpreter.ts'))![0])!.source).toContain('?.');
  });
});
