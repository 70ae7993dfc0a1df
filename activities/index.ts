// Every activity the workflow can call, built from injected dependencies so that the worker passes
// real clients and tests can pass others (createActivities(deps), as in Temporal's samples).
import { createConversationActivities } from './conversations';
import { createFlexActivities } from './flex';
import { createFlowRevisionActivities, type StudioApiDependencies } from './flow-revisions';
import { createHttpActivities, type HttpActivityDependencies } from './http';
import { createMessagingActivities } from './messaging';
import type { TwilioClient } from './twilio-client';

export interface ActivityDependencies {
  client: TwilioClient;
  flowWebhookUrl(flowSid: string): string;
  /** Make HTTP Request and Run Function: limits, and the credentials of "Authenticate with Twilio". */
  http?: HttpActivityDependencies;
  /** Our own Studio API, where Run Subflow reads its child's revision (without it, Run Subflow fails). */
  studioApi?: StudioApiDependencies;
}

export function createActivities(dependencies: ActivityDependencies) {
  return {
    ...createConversationActivities(dependencies),
    ...createMessagingActivities(dependencies),
    ...createFlexActivities(dependencies),
    ...createHttpActivities(dependencies.http ?? {}),
    ...createFlowRevisionActivities(dependencies.studioApi),
  };
}

export type StudioActivities = ReturnType<typeof createActivities>;
