// `node --import tsx worker/bundle-cli.ts <file>`: bundles the workflow code (worker/bundle.ts) and
// writes it to <file>. The worker runs this in a child process (worker/bundle-in-child.ts) so that
// webpack's memory is returned to the system when the child exits instead of staying in the
// long-lived worker's heap.
import * as fs from 'node:fs';
import { bundleWorkflows } from './bundle';

async function main(): Promise<void> {
  const target = process.argv[2];
  if (!target) throw new Error('usage: bundle-cli.ts <output file>');
  const { code } = await bundleWorkflows();
  fs.writeFileSync(target, code);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
