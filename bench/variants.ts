// The two ways the benchmark runs a flow: (a) its hand-written twin, (b) the interpreter. Both are
// started straight through the Temporal client, with the options the API's ExecutionService uses
// (workflow ID = a fresh execution SID, the five search attributes, summary and details), each on its
// worker's task queue: what differs is only the workflow that runs.
import type { WorkflowHandle } from '@temporalio/client';
import { contactHash } from '../api/execution-service';
import { newSid } from '../common/sid';
import type { FlowDefinition, JsonObject, StudioExecutionInput } from '../workflows/engine/types';
import { CONTACT_HASH, CURRENT_WIDGET, EXECUTION_STATUS, FLOW_REVISION, FLOW_SID } from '../workflows/search-attributes';
import type { HandWrittenInput } from './flow-texts';
import type { BenchStack } from './stack';

export type VariantName = 'hand_written' | 'interpreter';
export const VARIANTS: readonly VariantName[] = ['hand_written', 'interpreter'];

export type FlowKey = 'send_only' | 'survey' | 'logic_50';

export interface BenchFlow {
  key: FlowKey;
  title: string;
  friendlyName: string;
  definition: FlowDefinition;
  /** Created through the API: the flow webhook URL of its executions names it. */
  flowSid: string;
  handWrittenType: string;
  /** How many messages a device receives from one execution. */
  expectedMessages: number;
  /** What the device answers, in order, each after the message of the same index. */
  answers: string[];
  parameters: JsonObject;
}

/** The Twilio-side address every execution talks from (the REST trigger's `From`). */
export const CHANNEL_ADDRESS = '+15005550006';
export const CONTACT_NAME = 'Ann';

let contacts = 0;
/** A contact no execution of this run has used. */
export function nextContact(): string {
  contacts++;
  return `+1555${String(contacts).padStart(7, '0')}`;
}

function startOptions(flow: Pick<BenchFlow, 'flowSid' | 'friendlyName'>, sid: string, contact: string, taskQueue: string) {
  return {
    workflowId: sid,
    taskQueue,
    typedSearchAttributes: [
      { key: FLOW_SID, value: flow.flowSid },
      { key: FLOW_REVISION, value: 1 },
      { key: EXECUTION_STATUS, value: 'active' },
      { key: CURRENT_WIDGET, value: 'Trigger' },
      { key: CONTACT_HASH, value: contactHash(contact) },
    ],
    staticSummary: `Studio flow ${flow.friendlyName} (${flow.flowSid}) revision 1`,
    staticDetails: `**Flow** ${flow.friendlyName}\n\n**Flow SID** ${flow.flowSid}\n\n**Revision** 1\n\n**Trigger** incomingRequest`,
  };
}

export function interpreterInput(stack: BenchStack, flowSid: string, definition: FlowDefinition, sid: string, contact: string, parameters: JsonObject): StudioExecutionInput {
  return {
    accountSid: stack.config.accountSid,
    executionSid: sid,
    flowSid,
    flowRevision: 1,
    definition,
    trigger: { type: 'incomingRequest', to: contact, from: CHANNEL_ADDRESS, parameters, requestSid: newSid('RQ') },
    dateCreated: new Date().toISOString(),
  };
}

/** Starts one execution of `flow` for `contact`, as `variant`; answers its handle. */
export async function startVariant(stack: BenchStack, flow: BenchFlow, variant: VariantName, contact: string, taskQueue = stack.taskQueues[variant]): Promise<WorkflowHandle> {
  const sid = newSid('FN');
  const options = startOptions(flow, sid, contact, taskQueue);
  if (variant === 'interpreter') {
    return stack.temporal.workflow.start('studioExecution', { ...options, args: [interpreterInput(stack, flow.flowSid, flow.definition, sid, contact, flow.parameters)] });
  }
  const input: HandWrittenInput = { executionSid: sid, flowSid: flow.flowSid, contact, channel: CHANNEL_ADDRESS, name: String(flow.parameters.name) };
  return stack.temporal.workflow.start(flow.handWrittenType, { ...options, args: [input] });
}

/** Starts an interpreter execution of any definition (the events-per-widget flows). */
export async function startInterpreter(stack: BenchStack, flowSid: string, definition: FlowDefinition, contact: string, parameters: JsonObject): Promise<WorkflowHandle> {
  const sid = newSid('FN');
  const options = startOptions({ flowSid, friendlyName: 'bench' }, sid, contact, stack.taskQueues.interpreter);
  return stack.temporal.workflow.start('studioExecution', { ...options, args: [interpreterInput(stack, flowSid, definition, sid, contact, parameters)] });
}
