import * as fs from 'node:fs';
import type { DevServer } from '../../scripts/dev-server';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __TEMPORAL_DEV_SERVER__?: DevServer }).__TEMPORAL_DEV_SERVER__;
  await server?.stop();
  const environmentFile = process.env.STUDIO_TEST_ENVIRONMENT_FILE;
  if (environmentFile && fs.existsSync(environmentFile)) {
    const { workflowBundlePath } = JSON.parse(fs.readFileSync(environmentFile, 'utf8')) as { workflowBundlePath?: string };
    fs.rmSync(environmentFile, { force: true });
    if (workflowBundlePath) fs.rmSync(workflowBundlePath, { force: true });
  }
}
