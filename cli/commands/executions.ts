// `studio executions …`: list a flow's executions, show one with its steps in order, follow one live
// until it ends, and end one (REST `Status=ended`).
import { setTimeout as sleep } from 'node:timers/promises';
import type { StudioApi } from '../api-client';
import { CommandError, EXIT_USAGE, formatTable, printLine, shortDate, type Terminal } from '../terminal';

type ExecutionStatus = 'active' | 'ended';

export interface FollowOptions {
  /** How often to ask the API for new steps (default 1 s). */
  pollIntervalMs?: number;
  /** Stops following (the function then resolves 'stopped'). */
  signal?: AbortSignal;
}

interface StepLine {
  transitionedFrom: string;
  name: string;
  transitionedTo: string;
  dateCreated: Date;
  parentStepSid: string | null;
}

/** `  3  2026-01-02T03:04:05Z  ask → incomingMessage → thanks`: the step's from → event → to. */
export function formatStep(step: StepLine, position: number): string {
  const subflow = step.parentStepSid ? '  (in a subflow)' : '';
  return `${String(position).padStart(4)}  ${shortDate(step.dateCreated)}  ${step.transitionedFrom} → ${step.name} → ${step.transitionedTo}${subflow}`;
}

function parseStatusFilter(status: string | undefined): ExecutionStatus | undefined {
  if (status === undefined) return undefined;
  if (status !== 'active' && status !== 'ended') throw new CommandError(`--status must be active or ended (got "${status}")`, EXIT_USAGE);
  return status;
}

/** Every step, oldest first (the API lists newest first). */
async function stepsInOrder(api: StudioApi, flowSid: string, executionSid: string) {
  return (await api.client.studio.v2.flows(flowSid).executions(executionSid).steps.list()).reverse();
}

async function printExecutionHeader(api: StudioApi, terminal: Terminal, flowSid: string, executionSid: string) {
  const execution = await api.client.studio.v2.flows(flowSid).executions(executionSid).fetch();
  printLine(terminal.stdout, `Execution ${execution.sid} (${execution.status})`);
  printLine(terminal.stdout, `  flow      ${execution.flowSid} revision ${execution.flowVersion}`);
  printLine(terminal.stdout, `  contact   ${execution.contactChannelAddress}`);
  printLine(terminal.stdout, `  started   ${shortDate(execution.dateCreated)}  updated ${shortDate(execution.dateUpdated)}`);
  printLine(terminal.stdout, `  view      ${api.url}/flows/${execution.flowSid}/executions/${execution.sid}`);
  return execution;
}

export async function listExecutions(api: StudioApi, terminal: Terminal, flowSid: string, options: { status?: string } = {}): Promise<void> {
  const status = parseStatusFilter(options.status);
  const executions = await api.client.studio.v2.flows(flowSid).executions.list(status ? { status } : {});
  if (executions.length === 0) return printLine(terminal.stdout, status ? `No ${status} executions.` : 'No executions.');
  const rows = executions.map((execution) => [execution.sid, execution.status, execution.contactChannelAddress, String(execution.flowVersion), shortDate(execution.dateCreated)]);
  for (const line of formatTable(['SID', 'STATUS', 'CONTACT', 'REVISION', 'STARTED'], rows)) printLine(terminal.stdout, line);
}

export async function showExecution(api: StudioApi, terminal: Terminal, flowSid: string, executionSid: string): Promise<void> {
  await printExecutionHeader(api, terminal, flowSid, executionSid);
  const steps = await stepsInOrder(api, flowSid, executionSid);
  printLine(terminal.stdout, `Steps (${steps.length}):`);
  steps.forEach((step, index) => printLine(terminal.stdout, formatStep(step, index + 1)));
}

/** Prints the steps so far, then each new one as it happens, until the execution ends. */
export async function followExecution(api: StudioApi, terminal: Terminal, flowSid: string, executionSid: string, options: FollowOptions = {}): Promise<'ended' | 'stopped'> {
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  await printExecutionHeader(api, terminal, flowSid, executionSid);
  let printed = 0;
  for (;;) {
    // Status first, steps second: once the status says ended, the steps read after it are complete.
    const { status } = await api.client.studio.v2.flows(flowSid).executions(executionSid).fetch();
    const steps = await stepsInOrder(api, flowSid, executionSid);
    for (const step of steps.slice(printed)) printLine(terminal.stdout, formatStep(step, ++printed));
    if (status === 'ended') {
      printLine(terminal.stdout, `Execution ${executionSid} ended after ${printed} step${printed === 1 ? '' : 's'}.`);
      return 'ended';
    }
    try {
      await sleep(pollIntervalMs, undefined, { signal: options.signal });
    } catch (error) {
      if ((error as Error).name === 'AbortError') return 'stopped';
      throw error;
    }
  }
}

export async function endExecution(api: StudioApi, terminal: Terminal, flowSid: string, executionSid: string): Promise<void> {
  const execution = await api.client.studio.v2.flows(flowSid).executions(executionSid).update({ status: 'ended' });
  printLine(terminal.stdout, `Ended execution ${execution.sid}.`);
}
