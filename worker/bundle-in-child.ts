// Bundles the workflow code in a short-lived child process. Webpack grows the heap of whatever process
// runs it by a hundred megabytes or more, and V8 seldom gives that memory back: bundled inside the
// worker, it would stay in the worker's resident set for the worker's whole life (measured by
// `npm run bench`: RSS at start 349 MB in-process, see bench/README.md).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The bundle's code, built by worker/bundle-cli.ts in a child process with this process's loader flags. */
export async function bundleInChildProcess(): Promise<{ code: string }> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-workflow-bundle-'));
  const target = path.join(scratch, 'workflows.js');
  try {
    const child = spawn(process.execPath, [...process.execArgv, path.join(__dirname, 'bundle-cli.ts'), target], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 20_000) stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0) throw new Error(`bundling the workflow code failed (exit ${code}):\n${stderr.slice(-5000)}`);
    return { code: fs.readFileSync(target, 'utf8') };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
