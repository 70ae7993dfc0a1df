// The studio command line's process entry (`npm run studio -- <command>`, `npx tsx cli/studio.ts
// <command>`): everything else is in run.ts and commands/, testable without a process.
import { runStudioCli } from './run';

void runStudioCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then((exitCode) => {
  process.exitCode = exitCode;
});
