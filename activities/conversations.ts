// Conversations API activities: create the Conversation, its participant and the onMessageAdded
// webhook (Start Conversation), send into it, and tear it all down when the execution ends.
import { Context } from '@temporalio/activity';
import { IDEMPOTENCY_ATTRIBUTE, idempotencyKeyOf } from '../common/idempotency';
import type { StartConversationRequest } from '../workflows/engine/effects';
import type { JsonObject } from '../workflows/engine/types';
import { pascalCaseMessage, snakeCaseResource } from './case';
import { classifyTwilioError } from './errors';
import type { TwilioClient } from './twilio-client';

export interface ConversationsDependencies {
  client: TwilioClient;
  /** The flow webhook URL of a flow (DESIGN.md), where Conversations webhooks must come back. */
  flowWebhookUrl(flowSid: string): string;
}

/** Start Conversation's Conversation properties, as the workflow asks for them (the widget's request without its participant). */
export type CreateConversationInput = Omit<StartConversationRequest, 'widgetName' | 'participant'>;

export interface CreateParticipantInput {
  conversationSid: string;
  conversationServiceSid?: string;
  participant: StartConversationRequest['participant'];
}

export interface SendConversationMessageInput {
  conversationSid: string;
  conversationServiceSid?: string;
  body: string;
  attributes?: string;
  /** Unique per step: a retried activity finds the message it already sent (DESIGN.md decision 10). */
  idempotencyKey: string;
}

export function createConversationActivities({ client, flowWebhookUrl }: ConversationsDependencies) {
  // A service's Conversations have the same paths and parameters under /v1/Services/{IS…}; the client
  // types them separately, so the service-scoped list is viewed through the default one's type.
  type ConversationList = typeof client.conversations.v1.conversations;
  const conversations = (serviceSid?: string): ConversationList =>
    serviceSid ? (client.conversations.v1.services(serviceSid).conversations as unknown as ConversationList) : client.conversations.v1.conversations;

  return {
    async createConversation(input: CreateConversationInput): Promise<JsonObject> {
      try {
        if (input.uniqueName && Context.current().info.attempt > 1) {
          // A retry: a first attempt that created the Conversation took its unique name, and creating it again
          // is refused. Without a unique name nothing identifies it, and the retry leaves an empty Conversation.
          const existing = await findCreatedByThisActivity(conversations(input.conversationServiceSid)(input.uniqueName));
          if (existing) return snakeCaseResource(existing);
        }
        const created = await conversations(input.conversationServiceSid).create({
          friendlyName: input.friendlyName,
          uniqueName: input.uniqueName,
          attributes: input.attributes,
          messagingServiceSid: input.messagingServiceSid,
          'timers.inactive': input.timersInactive,
          'timers.closed': input.timersClosed,
          'bindings.email.address': input.emailBindingAddress,
          'bindings.email.name': input.emailBindingName,
        });
        return snakeCaseResource(created);
      } catch (error) {
        classifyTwilioError(error);
      }
    },

    async createConversationParticipant(input: CreateParticipantInput): Promise<JsonObject> {
      const { participant } = input;
      const conversation = conversations(input.conversationServiceSid)(input.conversationSid);
      try {
        if (Context.current().info.attempt > 1) {
          // A retry: the first attempt may have added the participant before it failed to report back, and
          // adding it again is refused (already in the conversation), which would fail Start Conversation.
          const existing = (await conversation.participants.list({ limit: 100 })).find((candidate) => isSameParticipant(candidate, participant));
          if (existing) return snakeCaseResource(existing);
        }
        const created = await conversation.participants.create(
          participant.type === 'messaging'
            ? {
                'messagingBinding.address': participant.address,
                'messagingBinding.proxyAddress': participant.proxyAddress,
                attributes: participant.attributes,
                roleSid: participant.roleSid,
              }
            : { identity: participant.identity, attributes: participant.attributes, roleSid: participant.roleSid },
        );
        return snakeCaseResource(created);
      } catch (error) {
        classifyTwilioError(error);
      }
    },

    /** Registers the webhook that turns the contact's messages into signals to this execution. */
    async createConversationWebhook(input: {
      conversationSid: string;
      conversationServiceSid?: string;
      flowSid: string;
      executionSid: string;
    }): Promise<string> {
      const conversation = conversations(input.conversationServiceSid)(input.conversationSid);
      const url = `${flowWebhookUrl(input.flowSid)}?ExecutionSid=${input.executionSid}`;
      try {
        if (Context.current().info.attempt > 1) {
          // A retry: a webhook the first attempt registered would otherwise be left behind by teardown.
          const existing = (await conversation.webhooks.list({ limit: 100 })).find((webhook) => (webhook.configuration as { url?: unknown } | null)?.url === url);
          if (existing) return existing.sid;
        }
        const webhook = await conversation.webhooks.create({
          target: 'webhook',
          'configuration.url': url,
          'configuration.method': 'post',
          'configuration.filters': ['onMessageAdded', 'onDeliveryUpdated'],
        });
        return webhook.sid;
      } catch (error) {
        classifyTwilioError(error);
      }
    },

    async deleteConversationWebhook(input: { conversationSid: string; conversationServiceSid?: string; webhookSid: string }): Promise<void> {
      try {
        await conversations(input.conversationServiceSid)(input.conversationSid).webhooks(input.webhookSid).remove();
      } catch (error) {
        if ((error as { status?: number }).status === 404) return; // already gone: the goal is reached
        classifyTwilioError(error);
      }
    },

    /** Undoes a Conversation whose set-up failed half-way (Start Conversation leaves nothing behind). */
    async deleteConversation(input: { conversationSid: string; conversationServiceSid?: string }): Promise<void> {
      try {
        await conversations(input.conversationServiceSid)(input.conversationSid).remove();
      } catch (error) {
        if ((error as { status?: number }).status === 404) return;
        classifyTwilioError(error);
      }
    },

    async closeConversation(input: { conversationSid: string; conversationServiceSid?: string }): Promise<void> {
      try {
        await conversations(input.conversationServiceSid)(input.conversationSid).update({ state: 'closed' });
      } catch (error) {
        const status = (error as { status?: number }).status;
        if (status === 404) return;
        classifyTwilioError(error);
      }
    },

    async sendConversationMessage(input: SendConversationMessageInput): Promise<JsonObject> {
      const conversation = conversations(input.conversationServiceSid)(input.conversationSid);
      try {
        if (Context.current().info.attempt > 1) {
          // A retry: the first attempt may have sent before it failed to report back.
          const recent = await conversation.messages.list({ order: 'desc', limit: 50 });
          const already = recent.find((message) => idempotencyKeyOf(message.attributes) === input.idempotencyKey);
          if (already) return pascalCaseMessage(already);
        }
        const sent = await conversation.messages.create({
          body: input.body,
          attributes: withIdempotencyKey(input.attributes, input.idempotencyKey),
        });
        return pascalCaseMessage(sent);
      } catch (error) {
        classifyTwilioError(error);
      }
    },
  };
}

/** Clocks of the worker and of Twilio may differ this much. */
const CLOCK_SKEW_MS = 60_000;

/** The Conversation (fetched by unique name) if it was created since this activity was first scheduled. */
async function findCreatedByThisActivity(conversation: { fetch(): Promise<{ dateCreated: Date; toJSON(): object }> }) {
  try {
    const existing = await conversation.fetch();
    return existing.dateCreated.getTime() >= Context.current().info.scheduledTimestampMs - CLOCK_SKEW_MS ? existing : undefined;
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  }
}

/** The participant a create with these parameters made: same messaging binding, or same chat identity. */
function isSameParticipant(
  candidate: { identity: string | null; messagingBinding: { address?: unknown; proxy_address?: unknown } | null },
  wanted: CreateParticipantInput['participant'],
): boolean {
  if (wanted.type === 'chat') return candidate.identity === wanted.identity;
  return candidate.messagingBinding?.address === wanted.address && candidate.messagingBinding?.proxy_address === wanted.proxyAddress;
}

function withIdempotencyKey(attributes: string | undefined, key: string): string {
  let parsed: Record<string, unknown> = {};
  if (attributes) {
    try {
      const value: unknown = JSON.parse(attributes);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) parsed = value as Record<string, unknown>;
    } catch {
      // Studio requires structurally valid JSON; a widget with broken attributes still sends its body.
    }
  }
  return JSON.stringify({ ...parsed, [IDEMPOTENCY_ATTRIBUTE]: key });
}
