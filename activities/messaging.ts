// Programmable Messaging: the send of an execution that has no Conversation (an SMS or WhatsApp
// message from the flow's number to the contact), with a status callback back to the execution.
import { Context } from '@temporalio/activity';
import type { JsonObject } from '../workflows/engine/types';
import { pascalCaseMessage } from './case';
import { classifyTwilioError } from './errors';
import type { TwilioClient } from './twilio-client';

export interface SendSmsInput {
  from: string;
  to: string;
  body: string;
  mediaUrl?: string;
  flowSid: string;
  executionSid: string;
  /** ISO time the step started: a retry looks for a message it sent since then (DESIGN.md decision 10). */
  notBefore: string;
}

export function createMessagingActivities({ client, flowWebhookUrl }: { client: TwilioClient; flowWebhookUrl(flowSid: string): string }) {
  return {
    async sendSms(input: SendSmsInput): Promise<JsonObject> {
      try {
        const sender = input.from.startsWith('MG') ? { messagingServiceSid: input.from } : { from: input.from };
        if (Context.current().info.attempt > 1) {
          // Programmable Messaging has no attributes to carry a key: the same body to the same contact
          // since the step began is this step's message.
          const recent = await client.messages.list({ to: input.to, limit: 20 });
          const already = recent.find(
            (message) => message.body === input.body && message.dateCreated && message.dateCreated.toISOString() >= input.notBefore.slice(0, 19),
          );
          if (already) return pascalCaseMessage(already);
        }
        const sent = await client.messages.create({
          ...sender,
          to: input.to,
          body: input.body,
          mediaUrl: input.mediaUrl ? [input.mediaUrl] : undefined,
          statusCallback: `${flowWebhookUrl(input.flowSid)}?ExecutionSid=${input.executionSid}`,
        });
        return pascalCaseMessage(sent);
      } catch (error) {
        classifyTwilioError(error);
      }
    },
  };
}
