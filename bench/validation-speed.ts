// Issue item 3 (validation): how long validateDefinition takes on the largest flow of the corpus
// (../shared/studio-flows/accepted, read at run time, skipped when absent) and on a generated
// 1,000-widget flow (goal < 50 ms each), and how long a create (POST /v2/Flows) of each takes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateDefinition } from '../workflows/engine/validate';
import { generatedFlow } from './flows';
import { mean, percentile, round } from './stats';
import type { StudioApi } from './studio-api';

export const CORPUS_DIR = path.resolve(__dirname, '../../shared/studio-flows/accepted');
const GOAL_MS = 50;

export interface ValidationTiming {
  flow: string;
  widgets: number;
  bytes: number;
  valid: boolean;
  validate_mean_ms: number;
  validate_p50_ms: number;
  validate_max_ms: number;
  validate_runs: number;
  create_p50_ms: number | null;
  create_max_ms: number | null;
  create_runs: number;
  goal_validate_under_50_ms: boolean;
}

export interface ValidationSpeed {
  flows: ValidationTiming[];
  skipped: string[];
}

function largestCorpusFlow(): { name: string; text: string } | null {
  if (!fs.existsSync(CORPUS_DIR)) return null;
  const files = fs
    .readdirSync(CORPUS_DIR)
    .filter((name) => name.endsWith('.json'))
    .map((name) => ({ name, size: fs.statSync(path.join(CORPUS_DIR, name)).size }))
    .sort((a, b) => b.size - a.size);
  if (files.length === 0) return null;
  return { name: files[0].name, text: fs.readFileSync(path.join(CORPUS_DIR, files[0].name), 'utf8') };
}

async function time(flow: string, text: string, api: StudioApi, validateRuns: number, createRuns: number): Promise<ValidationTiming> {
  const definition = JSON.parse(text) as { states?: unknown[] };
  const durations: number[] = [];
  let valid = false;
  for (let run = 0; run < validateRuns; run++) {
    const startedAt = performance.now();
    valid = validateDefinition(definition).valid;
    durations.push(performance.now() - startedAt);
  }
  const creates: number[] = [];
  for (let run = 0; run < createRuns && valid; run++) {
    const startedAt = performance.now();
    await api.createFlow(`bench validation ${run}`, text);
    creates.push(performance.now() - startedAt);
  }
  const p50 = percentile(durations, 50) ?? 0;
  return {
    flow,
    widgets: Array.isArray(definition.states) ? definition.states.length : 0,
    bytes: Buffer.byteLength(text),
    valid,
    validate_mean_ms: round(mean(durations) ?? 0, 2),
    validate_p50_ms: round(p50, 2),
    validate_max_ms: round(Math.max(...durations), 2),
    validate_runs: validateRuns,
    create_p50_ms: creates.length ? round(percentile(creates, 50)!, 1) : null,
    create_max_ms: creates.length ? round(Math.max(...creates), 1) : null,
    create_runs: creates.length,
    goal_validate_under_50_ms: p50 < GOAL_MS,
  };
}

export async function measureValidationSpeed(api: StudioApi, settings: { validateRuns: number; createRuns: number }): Promise<ValidationSpeed> {
  const flows: ValidationTiming[] = [];
  const skipped: string[] = [];
  const corpus = largestCorpusFlow();
  if (corpus) flows.push(await time(`corpus: ${corpus.name}`, corpus.text, api, settings.validateRuns, settings.createRuns));
  else skipped.push(`the corpus (${CORPUS_DIR}) is not here: ../shared is absent on a fresh clone`);
  flows.push(await time('generated 1,000-widget flow', JSON.stringify(generatedFlow(1000)), api, settings.validateRuns, settings.createRuns));
  return { flows, skipped };
}
