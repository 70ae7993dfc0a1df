// Temporal's floor for the benchmark's flows: each workflow here is what a developer would write by
// hand for one flow, issuing exactly the commands the interpreter (workflows/studio-execution.ts)
// issues for it — the same activities in the same order with the same options and summaries, the
// same signals and handlers, the same timers, the same search-attribute upserts — and nothing else.
// The difference between these and the interpreter is the interpreter's own overhead. Deterministic
// workflow code, bundled on its own (this file is its workflowsPath) and run by a worker of its own.
import {
  CancellationScope,
  condition,
  defineSignal,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  uuid4,
} from '@temporalio/workflow';
import type { StudioActivities } from '../activities';
import { FAILED_DELIVERY_STATUSES, type DeliveryUpdate, type InboundMessage } from '../workflows/engine/types';
import { CURRENT_WIDGET, EXECUTION_STATUS } from '../workflows/search-attributes';
import { LOGIC_SET_VARIABLES_COUNT, logicFinalBody, sendOnlyBodies, SURVEY_QUESTION_WIDGETS, surveyTexts, type HandWrittenInput } from './flow-texts';

// The same signal names as the interpreter's: the gateway signals these workflows as it signals executions.
const inboundMessageSignal = defineSignal<[InboundMessage]>('inboundMessage');
const deliveryUpdateSignal = defineSignal<[DeliveryUpdate]>('deliveryUpdate');

// The interpreter's two activity option sets, copied.
const activities = proxyActivities<StudioActivities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 10 },
});
const teardownActivities = proxyActivities<StudioActivities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 20 },
});

const REPLY_TIMEOUT_SECONDS = 3600;

/** Inbound messages and delivery reports, handled as the interpreter handles them. */
function installHandlers(accepting: () => boolean) {
  const replies: InboundMessage[] = [];
  const deliveryFailures = new Map<string, DeliveryUpdate>();
  const seenMessageSids = new Set<string>();
  setHandler(inboundMessageSignal, (message) => {
    if (seenMessageSids.has(message.messageSid)) return;
    seenMessageSids.add(message.messageSid);
    if (accepting() && replies.length === 0) replies.push(message);
  });
  setHandler(deliveryUpdateSignal, (update) => {
    if (FAILED_DELIVERY_STATUSES.has(update.status)) deliveryFailures.set(update.messageSid, update);
  });
  return { replies, deliveryFailures };
}

async function sendSms(input: HandWrittenInput, body: string): Promise<void> {
  const notBefore = new Date().toISOString();
  await activities.sendSms.executeWithOptions({ summary: `send message '${abbreviate(body)}' to ${maskAddress(input.contact)}` }, [
    { from: input.channel, to: input.contact, body, flowSid: input.flowSid, executionSid: input.executionSid, notBefore },
  ]);
}

/** The interpreter's last command: the execution is marked ended in the Web UI. */
async function markEnded(): Promise<void> {
  await CancellationScope.nonCancellable(async () => {
    upsertSearchAttributes([
      { key: EXECUTION_STATUS, value: 'ended' },
      { key: CURRENT_WIDGET, value: null },
    ]);
  });
}

/** REST trigger, three Send Message over Programmable Messaging. */
export async function handWrittenSendOnly(input: HandWrittenInput): Promise<void> {
  installHandlers(() => false);
  try {
    for (const body of sendOnlyBodies(input.name)) await sendSms(input, body);
  } finally {
    await markEnded();
  }
}

/** REST trigger, 50 pure widgets (nothing to do by hand but compute the result), one Send Message. */
export async function handWrittenLogic(input: HandWrittenInput): Promise<void> {
  installHandlers(() => false);
  try {
    await sendSms(input, logicFinalBody(input.name, LOGIC_SET_VARIABLES_COUNT));
  } finally {
    await markEnded();
  }
}

/** Start Conversation, three Send & Wait For Reply, a split on the last answer, a final message, webhook removal. */
export async function handWrittenSurvey(input: HandWrittenInput): Promise<void> {
  let acceptingReplies = false;
  const { replies, deliveryFailures } = installHandlers(() => acceptingReplies);
  let teardown: { conversationSid: string; webhookSid: string } | undefined;
  try {
    const conversationSid = await CancellationScope.nonCancellable(async () => {
      const conversation = await activities.createConversation.executeWithOptions({ summary: 'create conversation for start_conversation' }, [
        { friendlyName: `Survey ${input.name}` },
      ]);
      const sid = String(conversation.sid);
      await activities.createConversationParticipant.executeWithOptions({ summary: `add participant ${maskAddress(input.contact)} to ${sid}` }, [
        { conversationSid: sid, participant: { type: 'messaging', address: input.contact, proxyAddress: input.channel } },
      ]);
      const webhookSid = await activities.createConversationWebhook.executeWithOptions({ summary: `register onMessageAdded webhook on ${sid}` }, [
        { conversationSid: sid, flowSid: input.flowSid, executionSid: input.executionSid },
      ]);
      teardown = { conversationSid: sid, webhookSid };
      return sid;
    });

    const texts = surveyTexts(input.name);
    const answers: string[] = [];
    for (const [index, widgetName] of SURVEY_QUESTION_WIDGETS.entries()) {
      const body = texts.question(index, answers);
      acceptingReplies = true;
      deliveryFailures.clear();
      const stepSid = 'FT' + uuid4().replace(/-/g, '');
      const sent = await activities.sendConversationMessage.executeWithOptions({ summary: `send message '${abbreviate(body)}' to ${conversationSid}` }, [
        { conversationSid, body, idempotencyKey: `${input.executionSid}/${stepSid}` },
      ]);
      const sentMessageSid = typeof sent.Sid === 'string' ? sent.Sid : undefined;
      upsertSearchAttributes([{ key: CURRENT_WIDGET, value: widgetName }]);
      setCurrentDetails(`Waiting at **${widgetName}** for a reply from ${maskAddress(input.contact)} (timeout ${REPLY_TIMEOUT_SECONDS} s)`);
      const arrived = await condition(
        () => replies.length > 0 || (sentMessageSid !== undefined && deliveryFailures.has(sentMessageSid)),
        REPLY_TIMEOUT_SECONDS * 1000,
      );
      setCurrentDetails('');
      acceptingReplies = false;
      if (!arrived || replies.length === 0) return; // the benchmark's devices always answer
      answers.push(replies.shift()!.params.Body ?? '');
      replies.splice(0);
    }
    const body = texts.final(answers[answers.length - 1]);
    const stepSid = 'FT' + uuid4().replace(/-/g, '');
    await activities.sendConversationMessage.executeWithOptions({ summary: `send message '${abbreviate(body)}' to ${conversationSid}` }, [
      { conversationSid, body, idempotencyKey: `${input.executionSid}/${stepSid}` },
    ]);
  } finally {
    await CancellationScope.nonCancellable(async () => {
      if (teardown) {
        const { conversationSid, webhookSid } = teardown;
        await teardownActivities.deleteConversationWebhook.executeWithOptions({ summary: `remove onMessageAdded webhook ${webhookSid}` }, [
          { conversationSid, webhookSid },
        ]);
      }
    });
    await markEnded();
  }
}

/** Nothing at all: the floor of a workflow start (the raw side of the REST-trigger comparison). */
export async function handWrittenEmpty(): Promise<void> {}

function abbreviate(text: string, length = 24): string {
  return text.length <= length ? text : text.slice(0, length - 1) + '…';
}

function maskAddress(address: string): string {
  const match = /^(whatsapp:)?\+?(\d+)$/.exec(address);
  if (!match) return address;
  return `${match[1] ?? ''}+…${match[2].slice(-4)}`;
}
