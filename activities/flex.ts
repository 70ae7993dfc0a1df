// Flex: Send to Flex hands the contact to an agent by creating an Interaction (Flex Interactions API,
// the way Studio does it for Conversations), routed by a TaskRouter workflow.
import type { JsonObject } from '../workflows/engine/types';
import { snakeCaseResource } from './case';
import { classifyTwilioError } from './errors';
import type { TwilioClient } from './twilio-client';

export interface CreateInteractionInput {
  workflowSid: string;
  taskChannel: string;
  attributes: string;
  priority?: number;
  timeout?: number;
  /** The Conversation to hand over, when the execution has one. */
  conversationSid?: string;
  contactAddress: string;
  channelAddress: string;
}

export function createFlexActivities({ client }: { client: TwilioClient }) {
  return {
    async createFlexInteraction(input: CreateInteractionInput): Promise<JsonObject> {
      let attributes: Record<string, unknown> = {};
      try {
        const parsed: unknown = JSON.parse(input.attributes || '{}');
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) attributes = parsed as Record<string, unknown>;
      } catch {
        // Studio requires valid JSON here; the validator warns, the hand-off still happens without them.
      }
      const channelType = input.contactAddress.startsWith('whatsapp:') ? 'whatsapp' : input.conversationSid ? 'sms' : 'sms';
      try {
        const interaction = await client.flexApi.v1.interaction.create({
          channel: {
            type: channelType,
            initiated_by: 'customer',
            properties: input.conversationSid ? { media_channel_sid: input.conversationSid } : { from: input.contactAddress, to: input.channelAddress },
          },
          routing: {
            properties: {
              workflow_sid: input.workflowSid,
              task_channel_unique_name: input.taskChannel,
              priority: input.priority ?? 0,
              timeout: input.timeout ?? 3600,
              attributes: { from: input.contactAddress, customerAddress: input.contactAddress, channelType, ...attributes },
            },
          },
        });
        return snakeCaseResource(interaction);
      } catch (error) {
        classifyTwilioError(error);
      }
    },
  };
}
