// Where the tests find things: the shared reference material (absent on a user's fresh clone) and the
// files the integration global setup leaves for the test workers.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const SHARED_DIR = path.resolve(REPO_ROOT, '../shared');
export const TEST_DATA_DIR = path.join(REPO_ROOT, '.test-data');
/** One file per jest run (named by the global setup's pid), so that runs side by side never share a server. */
export function testEnvironmentFile(): string {
  return process.env.STUDIO_TEST_ENVIRONMENT_FILE ?? path.join(TEST_DATA_DIR, 'temporal-test-environment.json');
}

/** A file under ../shared, or null with a warning when this checkout has no ../shared beside it. */
export function sharedFile(...parts: string[]): string | null {
  const file = path.join(SHARED_DIR, ...parts);
  if (fs.existsSync(file)) return file;
  console.warn(`skipping: ${path.relative(REPO_ROOT, file)} is not here (../shared is absent on a fresh clone)`);
  return null;
}

export interface TestEnvironment {
  temporalAddress: string;
  uiUrl: string;
  namespace: string;
  workflowBundlePath: string;
  cliPath: string;
}

export function readTestEnvironment(): TestEnvironment {
  return JSON.parse(fs.readFileSync(testEnvironmentFile(), 'utf8')) as TestEnvironment;
}
