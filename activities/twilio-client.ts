// The twilio client the activities use: real Twilio hosts, or every host rewritten to one base URL
// (the emulator, or any Twilio-compatible endpoint) when TWILIO_API_BASE_URL is set.
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';

export type TwilioClient = ReturnType<typeof twilio>;

/** Sends every Twilio host's request to `baseUrl`, keeping path and query (docs/sdk-notes.md §4 approach A). */
class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: string) {
    super({ keepAlive: true });
  }

  override request<TData>(options: RequestClient.RequestOptions<TData>) {
    const url = new URL(options.uri);
    return super.request<TData>({ ...options, uri: this.baseUrl + url.pathname + url.search });
  }
}

export function createTwilioClient(accountSid: string, authToken: string, baseUrl: string | undefined): TwilioClient {
  if (!baseUrl) return twilio(accountSid, authToken, { autoRetry: true });
  return twilio(accountSid, authToken, { httpClient: new BaseUrlRequestClient(baseUrl.replace(/\/+$/, '')) });
}
