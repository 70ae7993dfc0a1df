// Every activity the workflow can call, built from injected dependencies so that the worker passes
// real clients and tests can pass others (createActivities(deps), as in Temporal's samples).
import { createConversationActivities } from './conversations';
import { createFlexActivities } from './flex';
import { createMessagingActivities } from './messaging';
import type { TwilioClient } from './twilio-client';

export interface ActivityDependencies {
  client: TwilioClient;
  flowWebhookUrl(flowSid: string): string;
}

export function createActivities(dependencies: ActivityDependencies) {
  return {
    ...createConversationActivities(dependencies),
    ...createMessagingActivities(dependencies),
    ...createFlexActivities(dependencies),
  };
}

export type StudioActivities = ReturnType<typeof createActivities>;
