// The Studio execution workflow: one Temporal workflow per Studio execution. It runs the interpreter
// over the pinned flow revision and backs the effects port with activities (every side effect),
// durable timers (reply timeouts, the 30-day lifetime) and signals (inbound messages, delivery
// reports). Ending an execution through the API is a cancellation; teardown runs whatever ended it.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  ContinueAsNew,
  continueAsNew,
  defineQuery,
  defineSignal,
  isCancellation,
  proxyActivities,
  setHandler,
  setCurrentDetails,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { StudioActivities } from '../activities';
import type { FlowRevisionOutcome, HostEffects, HttpResponseOutcome, SendOutcome, StartConversationOutcome, WaitOutcome } from './engine/effects';
import { ExecutionEndedError, Interpreter, type RuntimePort } from './engine/interpreter';
import { studioTemplates } from './engine/liquid';
import type {
  DeliveryUpdate,
  EndedReason,
  ExecutionState,
  FlowState,
  InboundMessage,
  JsonObject,
  StudioExecutionInput,
} from './engine/types';
import { FAILED_DELIVERY_STATUSES, STUDIO_LIMITS } from './engine/types';
import { WIDGETS } from './widgets/registry';
import { CURRENT_WIDGET, EXECUTION_STATUS } from './search-attributes';
import { studioSinks } from './sinks';

export const inboundMessageSignal = defineSignal<[InboundMessage]>('inboundMessage');
export const deliveryUpdateSignal = defineSignal<[DeliveryUpdate]>('deliveryUpdate');
export const executionStateQuery = defineQuery<ExecutionState>('executionState');

const activities = proxyActivities<StudioActivities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 10 },
});

// Make HTTP Request and Run Function: one attempt, as Studio (a POST is not idempotent); the activity
// answers every HTTP outcome itself within its own 10 s timeout.
const httpActivities = proxyActivities<StudioActivities>({
  startToCloseTimeout: '20s',
  retry: { maximumAttempts: 1 },
});

// Teardown must get through even when the execution is being cancelled or failing.
const teardownActivities = proxyActivities<StudioActivities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 20 },
});

export async function studioExecution(input: StudioExecutionInput): Promise<ExecutionState> {
  const limits = { ...STUDIO_LIMITS, ...input.limits };
  // Replies are accepted only while a widget that waits for one is running (Studio warning 81002 otherwise).
  let acceptingReplies = false;
  let stepSid = '';
  let stepStartedIso = '';
  const replies: InboundMessage[] = [...(input.carried?.pendingInbound ?? [])];
  const deliveryFailures = new Map<string, DeliveryUpdate>();
  let ended: { reason: EndedReason; detail: string } | null = null;

  const interpreterRef: { current?: Interpreter } = {};
  const runtime: RuntimePort = {
    nowMs: () => Date.now(),
    randomHex: () => uuid4().replace(/-/g, ''),
    enterWidget(state: FlowState, sid: string) {
      stepSid = sid;
      stepStartedIso = new Date().toISOString();
      acceptingReplies = state.type === 'send-and-wait-for-reply';
      deliveryFailures.clear();
    },
    leaveWidget() {
      acceptingReplies = false;
      // Messages that arrived for this widget beyond the one it consumed were not expected.
      for (const extra of replies.splice(0)) interpreterRef.current?.recordIgnored(extra.messageSid);
    },
    shouldContinueAsNew: () => workflowInfo().continueAsNewSuggested,
    continueAsNew: async (carried) => continueAsNew<typeof studioExecution>({ ...input, carried: { ...carried, pendingInbound: replies } }),
  };

  const effects: HostEffects = {
    triggerType: () => input.trigger.type,
    // Send to Flex marks the channel handed off; it travels in the context, so continue-as-new keeps it.
    isHandedOff: () => interpreterRef.current!.context.flow.channel.status === 'handed off',

    async sendMessage(request): Promise<SendOutcome> {
      const context = interpreterRef.current!.context;
      const channel = context.flow.channel;
      try {
        if (channel.type === 'conversation' && typeof channel.sid === 'string') {
          const message = await activities.sendConversationMessage.executeWithOptions(
            { summary: `send message '${abbreviate(request.body)}' to ${channel.sid}` },
            [{ conversationSid: channel.sid, body: request.body, attributes: request.attributes, idempotencyKey: `${input.executionSid}/${stepSid}` }],
          );
          return { ok: true, message };
        }
        const message = await activities.sendSms.executeWithOptions(
          { summary: `send message '${abbreviate(request.body)}' to ${maskAddress(request.to)}` },
          [{ from: request.from, to: request.to, body: request.body, mediaUrl: request.mediaUrl, flowSid: input.flowSid, executionSid: input.executionSid, notBefore: stepStartedIso }],
        );
        return { ok: true, message };
      } catch (error) {
        return { ok: false, error: activityError(error) };
      }
    },

    async waitForReply({ widgetName, timeoutSeconds, sentMessageSid }): Promise<WaitOutcome> {
      const interpreter = interpreterRef.current!;
      const startedAtMs = input.carried?.startedAtMs ?? workflowStartMs;
      const remainingLifetimeMs = startedAtMs + limits.lifetimeMs - Date.now();
      const timeoutMs = timeoutSeconds * 1000;
      const waitMs = Math.max(0, Math.min(timeoutMs, remainingLifetimeMs));
      upsertSearchAttributes([{ key: CURRENT_WIDGET, value: widgetName }]);
      setCurrentDetails(`Waiting at **${widgetName}** for a reply from ${maskAddress(interpreter.context.contact.channel.address)} (timeout ${timeoutSeconds} s)`);
      const failure = () => (sentMessageSid ? deliveryFailures.get(sentMessageSid) : undefined);
      const arrived = await condition(() => replies.length > 0 || failure() !== undefined, waitMs, { summary: `reply timeout at ${widgetName}` });
      setCurrentDetails('');
      if (!arrived) {
        if (timeoutMs > remainingLifetimeMs) throw new ExecutionEndedError('LIFETIME', 'The execution reached its maximum lifetime of 30 days');
        return { kind: 'timeout' };
      }
      if (replies.length > 0) return { kind: 'reply', message: replies.shift()! };
      const delivery = failure()!;
      return { kind: 'deliveryFailure', status: delivery.status, errorCode: delivery.errorCode };
    },

    async startConversation(request): Promise<StartConversationOutcome> {
      // A cancellation (REST Status=ended) must not cut the set-up in half: a Conversation, participant or
      // webhook whose cancelled activity never reported back could be neither undone nor torn down. The
      // set-up runs to its end (or undoes itself); the cancellation then ends the execution at its next
      // step, and teardown removes the webhook (DESIGN.md decision 8).
      return CancellationScope.nonCancellable(async () => {
        const serviceSid = request.conversationServiceSid;
        let conversation: JsonObject;
        try {
          conversation = await activities.createConversation.executeWithOptions(
            { summary: `create conversation for ${request.widgetName}` },
            [
              {
                conversationServiceSid: serviceSid,
                messagingServiceSid: request.messagingServiceSid,
                uniqueName: request.uniqueName,
                friendlyName: request.friendlyName,
                attributes: request.attributes,
                timersInactive: request.timersInactive,
                timersClosed: request.timersClosed,
                emailBindingAddress: request.emailBindingAddress,
                emailBindingName: request.emailBindingName,
              },
            ],
          );
        } catch (error) {
          return { ok: false, stage: 'conversation', error: activityError(error) };
        }
        const conversationSid = String(conversation.sid);
        const undo = () =>
          teardownActivities.deleteConversation.executeWithOptions({ summary: `delete half-made conversation ${conversationSid}` }, [
            { conversationSid, conversationServiceSid: serviceSid },
          ]);
        let participant: JsonObject;
        try {
          const target = request.participant.type === 'messaging' ? maskAddress(request.participant.address) : request.participant.identity;
          participant = await activities.createConversationParticipant.executeWithOptions(
            { summary: `add participant ${target} to ${conversationSid}` },
            [{ conversationSid, conversationServiceSid: serviceSid, participant: request.participant }],
          );
        } catch (error) {
          await undo();
          return { ok: false, stage: 'participant', error: activityError(error) };
        }
        try {
          const webhookSid = await activities.createConversationWebhook.executeWithOptions(
            { summary: `register onMessageAdded webhook on ${conversationSid}` },
            [{ conversationSid, conversationServiceSid: serviceSid, flowSid: input.flowSid, executionSid: input.executionSid }],
          );
          return { ok: true, conversation, participant, webhookSid };
        } catch (error) {
          await undo();
          return { ok: false, stage: 'webhook', error: activityError(error) };
        }
      });
    },

    async httpRequest(request): Promise<HttpResponseOutcome> {
      try {
        // No URL in the summary: it may carry basic-auth credentials.
        return await httpActivities.httpRequest.executeWithOptions({ summary: `${request.method} request for ${request.widgetName}` }, [request]);
      } catch (error) {
        return { statusCode: null, contentType: null, body: null, failure: 'transport', error: activityError(error).message };
      }
    },

    async fetchFlowRevision(request): Promise<FlowRevisionOutcome> {
      try {
        const fetched = await activities.fetchFlowRevision.executeWithOptions(
          { summary: `fetch revision ${request.revision} of subflow ${request.flowSid} for ${request.widgetName}` },
          [{ flowSid: request.flowSid, revision: request.revision }],
        );
        return { ok: true, ...fetched };
      } catch (error) {
        return { ok: false, error: activityError(error) };
      }
    },

    async createFlexInteraction(request) {
      const interpreter = interpreterRef.current!;
      const channel = interpreter.context.flow.channel;
      const conversationSid = channel.type === 'conversation' && typeof channel.sid === 'string' ? channel.sid : undefined;
      let interaction: JsonObject;
      try {
        interaction = await activities.createFlexInteraction.executeWithOptions({ summary: `hand ${conversationSid ?? 'the contact'} to Flex (${request.workflowSid})` }, [
          {
            workflowSid: request.workflowSid,
            taskChannel: request.taskChannel,
            attributes: request.attributes,
            priority: request.priority,
            timeout: request.timeout,
            conversationSid,
            contactAddress: interpreter.context.contact.channel.address,
            channelAddress: channel.address,
          },
        ]);
      } catch (error) {
        return { ok: false, error: activityError(error) };
      }
      // Decision 7: once handed off, the flow's webhook goes at once (the agent owns the Conversation now),
      // and the end of the execution no longer closes it under the agent.
      await removeWebhook(interpreter);
      interpreter.teardown.closeConversation = false;
      return { ok: true, interaction };
    },
  };

  const workflowStartMs = Date.now();
  const interpreter = new Interpreter(input, WIDGETS, effects, studioTemplates, runtime);
  interpreterRef.current = interpreter;

  setHandler(inboundMessageSignal, (message) => {
    // Twilio retries webhooks: a MessageSid is handled once, whatever the route it came by.
    if (interpreter.seenMessageSids.has(message.messageSid)) return;
    interpreter.seenMessageSids.add(message.messageSid);
    if (acceptingReplies && replies.length === 0) replies.push(message);
    else interpreter.recordIgnored(message.messageSid);
  });
  setHandler(deliveryUpdateSignal, (update) => {
    if (FAILED_DELIVERY_STATUSES.has(update.status)) deliveryFailures.set(update.messageSid, update);
  });
  setHandler(executionStateQuery, () => ({
    status: ended ? 'ended' : 'active',
    endedReason: ended?.reason ?? null,
    endedDetail: ended?.detail ?? null,
    currentWidget: interpreter.currentWidget,
    context: interpreter.context,
    steps: interpreter.steps,
    ignoredInbound: interpreter.ignoredInbound,
  }));

  try {
    ended = await interpreter.run();
  } catch (error) {
    // Continue-as-new is no end: the next run carries on with the same channel and webhook.
    if (error instanceof ContinueAsNew) throw error;
    if (!isCancellation(error)) {
      ended = { reason: 'ERROR', detail: error instanceof Error ? error.message : String(error) };
      await teardown(interpreter);
      throw error;
    }
    ended = { reason: 'ENDED_BY_API', detail: 'The execution was ended through the API' };
  }
  await teardown(interpreter);
  // Only a returning execution has ended: a continue-as-new or a failed workflow task throws past this.
  studioSinks.metrics.executionEnded({ reason: ended.reason });
  return {
    status: 'ended',
    endedReason: ended.reason,
    endedDetail: ended.detail,
    currentWidget: null,
    context: interpreter.context,
    steps: interpreter.steps,
    ignoredInbound: interpreter.ignoredInbound,
  };
}

/** Decision 8: whatever ended the execution, the webhook Start Conversation registered goes away. */
async function teardown(interpreter: Interpreter): Promise<void> {
  await CancellationScope.nonCancellable(async () => {
    await removeWebhook(interpreter);
    const { conversationSid, conversationServiceSid, closeConversation } = interpreter.teardown;
    if (conversationSid && closeConversation) {
      await teardownActivities.closeConversation.executeWithOptions({ summary: `close conversation ${conversationSid}` }, [
        { conversationSid, conversationServiceSid },
      ]);
    }
    upsertSearchAttributes([
      { key: EXECUTION_STATUS, value: 'ended' },
      { key: CURRENT_WIDGET, value: null },
    ]);
  });
}

/** Removes the onMessageAdded webhook Start Conversation registered, once (end of execution, or hand-off). */
async function removeWebhook(interpreter: Interpreter): Promise<void> {
  const { conversationSid, conversationServiceSid, webhookSid } = interpreter.teardown;
  if (!conversationSid || !webhookSid) return;
  await CancellationScope.nonCancellable(() =>
    teardownActivities.deleteConversationWebhook.executeWithOptions({ summary: `remove onMessageAdded webhook ${webhookSid}` }, [
      { conversationSid, conversationServiceSid, webhookSid },
    ]),
  );
  interpreter.teardown.webhookSid = undefined;
}

/** The Twilio error behind a failed activity; a cancellation (execution ended) is not a failure and goes on up. */
function activityError(error: unknown): { code: number; message: string } {
  if (isCancellation(error)) throw error;
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as { code?: number; message?: string } | undefined;
    return { code: details?.code ?? 0, message: details?.message ?? cause.message };
  }
  return { code: 0, message: error instanceof Error ? error.message : String(error) };
}

function abbreviate(text: string, length = 24): string {
  return text.length <= length ? text : text.slice(0, length - 1) + '…';
}

/** Keeps the last four characters of a phone number: no full number in the UI or logs. */
export function maskAddress(address: string): string {
  const match = /^(whatsapp:)?\+?(\d+)$/.exec(address);
  if (!match) return address;
  return `${match[1] ?? ''}+…${match[2].slice(-4)}`;
}
