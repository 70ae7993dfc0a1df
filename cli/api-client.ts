// The CLI talks to the Studio v2 API over HTTP with the real twilio client, so it works against this
// project's API and, with STUDIO_API_URL=https://studio.twilio.com, against Twilio Studio itself.
import { createTwilioClient, type TwilioClient } from '../activities/twilio-client';
import { ENVIRONMENT } from '../common/config';

export interface StudioApi {
  /** Base URL of the API (no trailing slash): where the run view pages live too. */
  url: string;
  client: TwilioClient;
}

export function studioApiUrl(env: NodeJS.ProcessEnv): string {
  const url = env.STUDIO_API_URL || `http://127.0.0.1:${env.PORT || ENVIRONMENT.PORT}`;
  return url.replace(/\/+$/, '');
}

export function connectStudioApi(env: NodeJS.ProcessEnv): StudioApi {
  const url = studioApiUrl(env);
  const accountSid = env.TWILIO_ACCOUNT_SID || ENVIRONMENT.TWILIO_ACCOUNT_SID;
  const authToken = env.TWILIO_AUTH_TOKEN || ENVIRONMENT.TWILIO_AUTH_TOKEN;
  // Every host goes to the one base URL: the CLI only calls Studio, and nothing may leak elsewhere.
  return { url, client: createTwilioClient(accountSid, authToken, { '*': url }) };
}
