// Search attributes that make executions findable in the Temporal Web UI. Registered by the dev-server
// launcher (scripts/dev-server.ts) and by docker-compose; contact addresses only ever appear hashed.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const FLOW_SID = defineSearchAttributeKey('StudioFlowSid', SearchAttributeType.KEYWORD);
export const FLOW_REVISION = defineSearchAttributeKey('StudioFlowRevision', SearchAttributeType.INT);
export const EXECUTION_STATUS = defineSearchAttributeKey('StudioExecutionStatus', SearchAttributeType.KEYWORD);
export const CURRENT_WIDGET = defineSearchAttributeKey('StudioCurrentWidget', SearchAttributeType.KEYWORD);
export const CONTACT_HASH = defineSearchAttributeKey('StudioContactHash', SearchAttributeType.KEYWORD);

export const ALL_SEARCH_ATTRIBUTES = [FLOW_SID, FLOW_REVISION, EXECUTION_STATUS, CURRENT_WIDGET, CONTACT_HASH] as const;
