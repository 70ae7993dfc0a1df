// Plays the contact's phone for one execution: waits for each message at the device, answers through
// the emulator's device API (POST /Emulator/Inbound, as a real reply arrives), and measures each reply's
// latency: from the reply's POST to the next message at the device.
import type { Client, WorkflowHandle } from '@temporalio/client';
import { postForm } from './http-client';
import type { BenchStack } from './stack';
import { CHANNEL_ADDRESS, nextContact, startVariant, type BenchFlow, type VariantName } from './variants';

export interface ConversationOptions {
  /**
   * Answer only once the workflow is waiting (its timer started), as a person answers seconds later.
   * Without it the device answers the moment the question arrives, which can overtake the send's own
   * completion: right for saturation, wrong for measuring a reply's latency or counting history events.
   */
  waitUntilWaiting?: boolean;
}

export interface ExecutionRun {
  sid: string;
  replyLatenciesMs: number[];
  /** From the start call to the last message at the device. */
  startToLastMessageMs: number;
  messages: string[];
}

export async function sendFromDevice(stack: BenchStack, contact: string, body: string): Promise<void> {
  const answer = await postForm(`${stack.emulatorUrl}/Emulator/Inbound`, { From: contact, To: CHANNEL_ADDRESS, Body: body });
  if (answer.status !== 201) throw new Error(`Emulator/Inbound answered ${answer.status}: ${answer.body}`);
}

/**
 * Resolves once the workflow has started `timers` durable timers (it is then waiting for reply number
 * `timers`). Long-polls the history (waitNewEvent, as the client's result() does) instead of polling it,
 * so that waiting costs the server and this process next to nothing.
 */
export async function waitForTimers(temporal: Client, workflowId: string, timers: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let started = 0;
  let nextPageToken: Uint8Array | undefined;
  while (Date.now() < deadline) {
    const response = await temporal.workflowService.getWorkflowExecutionHistory({
      namespace: temporal.options.namespace,
      execution: { workflowId },
      waitNewEvent: true,
      nextPageToken,
    });
    started += (response.history?.events ?? []).filter((event) => event.timerStartedEventAttributes).length;
    if (started >= timers) return;
    if (!response.nextPageToken || response.nextPageToken.length === 0) throw new Error(`${workflowId} ended before starting timer #${timers}`);
    nextPageToken = response.nextPageToken;
  }
  throw new Error(`${workflowId} did not start timer #${timers} within ${timeoutMs} ms`);
}

/** Answers `answers` in turn after the messages of the same index, waits for all `expectedMessages`, then for the workflow's end. */
export async function converse(
  stack: BenchStack,
  handle: WorkflowHandle,
  contact: string,
  answers: string[],
  expectedMessages: number,
  startedAtMs: number,
  options: ConversationOptions = {},
): Promise<ExecutionRun> {
  const replyLatenciesMs: number[] = [];
  for (const [index, answer] of answers.entries()) {
    await stack.inboxes.nth(contact, index);
    if (options.waitUntilWaiting) await waitForTimers(stack.temporal, handle.workflowId, index + 1);
    const sentAtMs = performance.now();
    await sendFromDevice(stack, contact, answer);
    const next = await stack.inboxes.nth(contact, index + 1);
    replyLatenciesMs.push(next.atMs - sentAtMs);
  }
  const last = await stack.inboxes.nth(contact, expectedMessages - 1);
  await handle.result();
  const messages = stack.inboxes.received(contact).map((message) => message.body);
  stack.inboxes.forget(contact);
  return { sid: handle.workflowId, replyLatenciesMs, startToLastMessageMs: last.atMs - startedAtMs, messages };
}

/** One execution of a benchmark flow as `variant`, from its start to its end, answered by a fresh device. */
export async function runExecution(stack: BenchStack, flow: BenchFlow, variant: VariantName, options: ConversationOptions = {}): Promise<ExecutionRun> {
  const contact = nextContact();
  const startedAtMs = performance.now();
  const handle = await startVariant(stack, flow, variant, contact);
  return converse(stack, handle, contact, flow.answers, flow.expectedMessages, startedAtMs, options);
}
