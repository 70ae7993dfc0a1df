// The studio command line against the real stack: as a child process (`node --import tsx cli/studio.ts`,
// and once through `npm run studio`) for what a person types, and through its command functions with an
// in-memory terminal where the test must watch the output as it happens (follow).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectStudioApi } from '../../cli/api-client';
import { followExecution } from '../../cli/commands/executions';
import { runStudioCli } from '../../cli/run';
import type { Terminal } from '../../cli/terminal';
import { REPO_ROOT } from '../support/paths';
import { device, startStack, waitFor, type Stack } from '../support/stack';

const FLOW_FILE = path.join(REPO_ROOT, 'test/fixtures/flows/start-conversation-survey.json');
const BROKEN_FLOW_FILE = path.join(REPO_ROOT, 'test/fixtures/broken-flows/missing-next-state.json');
const BROKEN_FLOW_ERRORS = (JSON.parse(fs.readFileSync(BROKEN_FLOW_FILE.replace(/\.json$/, '.expected.json'), 'utf8')) as { errors: { message: string; property_path: string }[] }).errors;
const PROXY = '+15005550006';
/** Each CLI call is a Node process that loads TypeScript: room for several on a busy machine. */
const CLI_TEST_TIMEOUT_MS = 120_000;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function memoryTerminal(): Terminal & { output(): string } {
  let stdout = '';
  let stderr = '';
  return {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    output: () => stdout + stderr,
  };
}

describe('the studio CLI', () => {
  let stack: Stack;
  let workDir: string;
  let environment: NodeJS.ProcessEnv;

  beforeAll(async () => {
    stack = await startStack();
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-cli-'));
    environment = { ...process.env, STUDIO_API_URL: stack.apiUrl, TWILIO_ACCOUNT_SID: stack.config.accountSid, TWILIO_AUTH_TOKEN: stack.config.authToken };
  });
  afterAll(async () => {
    await stack?.stop();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  function run(command: string, args: string[]): Promise<Result> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { cwd: REPO_ROOT, env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });
  }
  const studio = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'cli/studio.ts', ...args]);

  it('deploy → list → export → deploy the export → export again gives the same bytes', async () => {
    const created = await studio('flows', 'deploy', FLOW_FILE);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const flowSid = /Created flow (FW[0-9a-f]{32}) /.exec(created.stdout)![1];
    expect(created.stdout).toContain('revision 1 (published)');
    expect(created.stdout).toContain(`${stack.apiUrl}/flows/${flowSid}`);

    const listed = await studio('flows', 'list');
    expect(listed.code).toBe(0);
    const row = listed.stdout.split('\n').find((line) => line.startsWith(flowSid))!;
    // Named after the definition's description when no --name is given.
    expect(row).toMatch(/published\s+1\s+\S+\s+REST trigger → Start Conversation/);

    const firstExport = path.join(workDir, 'first.json');
    expect((await studio('flows', 'export', flowSid, firstExport)).code).toBe(0);
    const exported = fs.readFileSync(firstExport, 'utf8');
    expect(JSON.parse(exported)).toEqual(JSON.parse(fs.readFileSync(FLOW_FILE, 'utf8')));
    // Canonical: sorted keys at every depth, two-space indent, a trailing newline.
    expect(exported.endsWith('}\n')).toBe(true);
    expect(exported.split('\n')[1]).toBe('  "description": "REST trigger → Start Conversation → one question → thanks (DESIGN.md decision 12\'s JSON)",');
    const firstState = (JSON.parse(exported) as { states: Record<string, unknown>[] }).states[1];
    expect(Object.keys(firstState)).toEqual(['name', 'properties', 'transitions', 'type']);
    expect(Object.keys(firstState.properties as object)).toEqual([...Object.keys(firstState.properties as object)].sort());

    const updated = await studio('flows', 'deploy', firstExport, '--sid', flowSid, '--status', 'draft', '--message', 'from git');
    expect(updated).toMatchObject({ code: 0, stderr: '' });
    expect(updated.stdout).toContain(`Updated flow ${flowSid}`);
    expect(updated.stdout).toContain('revision 2 (draft)');
    const revision = await stack.twilio.studio.v2.flows(flowSid).revisions('2').fetch();
    expect(revision).toMatchObject({ commitMessage: 'from git', status: 'draft' });

    const secondExport = path.join(workDir, 'second.json');
    expect((await studio('flows', 'export', flowSid, secondExport)).code).toBe(0);
    expect(fs.readFileSync(secondExport)).toEqual(fs.readFileSync(firstExport));
    // Without a file, the canonical text alone goes to stdout (so `> file` works too).
    expect((await studio('flows', 'export', flowSid)).stdout).toBe(exported);
  }, CLI_TEST_TIMEOUT_MS);

  it('validate prints each error with its property path and exits 1; deploy refuses the same file', async () => {
    const invalid = await studio('flows', 'validate', BROKEN_FLOW_FILE);
    expect(invalid.code).toBe(1);
    for (const error of BROKEN_FLOW_ERRORS) expect(invalid.stdout).toContain(`${error.property_path}  ${error.message}`);
    expect(invalid.stdout).toContain('not valid, 1 error');

    const flowsBefore = (await stack.twilio.studio.v2.flows.list()).length;
    const refused = await studio('flows', 'deploy', BROKEN_FLOW_FILE);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(BROKEN_FLOW_ERRORS[0].property_path);
    expect((await stack.twilio.studio.v2.flows.list()).length).toBe(flowsBefore);

    const valid = await studio('flows', 'validate', FLOW_FILE);
    expect(valid).toMatchObject({ code: 0, stdout: `${FLOW_FILE}: valid\n` });
  }, CLI_TEST_TIMEOUT_MS);

  it('follow prints the steps as they happen and returns when the execution ends; show lists them in order', async () => {
    const flowSid = (await stack.twilio.studio.v2.flows.create({ friendlyName: 'Follow me', status: 'published', definition: JSON.parse(fs.readFileSync(FLOW_FILE, 'utf8')) })).sid;
    const contact = '+15554440001';
    const execution = await stack.twilio.studio.v2.flows(flowSid).executions.create({ to: contact, from: PROXY, parameters: { name: 'Flo' } });
    const terminal = memoryTerminal();
    const following = followExecution(connectStudioApi(environment), terminal, flowSid, execution.sid, { pollIntervalMs: 200 });

    await waitFor(async () => terminal.output().includes('start_conversation → created → ask'), 'follow to print the step into ask');
    expect(terminal.output()).not.toContain('ended after');
    await device(stack.emulatorUrl).send(contact, PROXY, 'Lovely');
    await expect(following).resolves.toBe('ended');

    const stepLines = (text: string) => text.split('\n').filter((line) => / → /.test(line)).map((line) => line.replace(/^\s*\d+\s+\S+\s+/, ''));
    const expectedSteps = ['Trigger → incomingRequest → start_conversation', 'start_conversation → created → ask', 'ask → incomingMessage → thanks', 'thanks → sent → Ended'];
    expect(stepLines(terminal.output())).toEqual(expectedSteps);
    expect(terminal.output()).toContain(`Execution ${execution.sid} ended after 4 steps.`);

    const shown = await studio('executions', 'show', flowSid, execution.sid);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`Execution ${execution.sid} (ended)`);
    expect(shown.stdout).toContain(`contact   ${contact}`);
    expect(stepLines(shown.stdout)).toEqual(expectedSteps);
    expect(shown.stdout.split('\n').filter((line) => / → /.test(line)).map((line) => line.trim().split(/\s+/)[0])).toEqual(['1', '2', '3', '4']);
  }, CLI_TEST_TIMEOUT_MS);

  it('executions list filters by status; end ends an execution once, a second end fails with 20409', async () => {
    const flowSid = (await stack.twilio.studio.v2.flows.create({ friendlyName: 'Ending', status: 'published', definition: JSON.parse(fs.readFileSync(FLOW_FILE, 'utf8')) })).sid;
    const execution = await stack.twilio.studio.v2.flows(flowSid).executions.create({ to: '+15554440002', from: PROXY, parameters: { name: 'Ed' } });

    const active = await studio('executions', 'list', flowSid, '--status', 'active');
    expect(active.code).toBe(0);
    expect(active.stdout).toMatch(new RegExp(`^${execution.sid}\\s+active\\s+\\+15554440002\\s+1\\s`, 'm'));
    expect((await studio('executions', 'list', flowSid, '--status', 'ended')).stdout).toBe('No ended executions.\n');

    const ended = await studio('executions', 'end', flowSid, execution.sid);
    expect(ended).toMatchObject({ code: 0, stdout: `Ended execution ${execution.sid}.\n` });
    expect((await stack.twilio.studio.v2.flows(flowSid).executions(execution.sid).fetch()).status).toBe('ended');
    expect((await studio('executions', 'list', flowSid)).stdout).toMatch(new RegExp(`^${execution.sid}\\s+ended\\s`, 'm'));

    const again = await studio('executions', 'end', flowSid, execution.sid);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Error 20409 (HTTP 409)');
  }, CLI_TEST_TIMEOUT_MS);

  it('runs as `npm run studio`, and says clearly when the API is unreachable or the call is wrong', async () => {
    const viaNpm = await run('npm', ['run', '--silent', 'studio', '--', 'flows', 'list']);
    expect(viaNpm.code).toBe(0);
    expect(viaNpm.stdout).toMatch(/^SID\s+STATUS\s+REVISION\s+UPDATED\s+NAME$/m);

    const terminal = memoryTerminal();
    expect(await runStudioCli(['flows', 'list'], terminal, { STUDIO_API_URL: 'http://127.0.0.1:9' })).toBe(1);
    expect(terminal.output()).toContain('Cannot reach the Studio API at http://127.0.0.1:9');

    const missingFlow = memoryTerminal();
    expect(await runStudioCli(['flows', 'export', 'FW' + '0'.repeat(32)], missingFlow, environment)).toBe(1);
    expect(missingFlow.output()).toContain('Error 20404 (HTTP 404)');
  }, CLI_TEST_TIMEOUT_MS);
});
