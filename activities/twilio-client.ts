// The twilio client the activities use: real Twilio hosts, or every host rewritten to one base URL
// (the emulator, or any Twilio-compatible endpoint) when TWILIO_API_BASE_URL is set.
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';

export type TwilioClient = ReturnType<typeof twilio>;

/**
 * Sends each Twilio host's requests to a base URL of our choice, keeping path and query
 * (docs/sdk-notes.md §4 approach A). `baseUrls['*']` serves every host not named.
 */
class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(private readonly baseUrls: Record<string, string>) {
    super({ keepAlive: true });
  }

  override request<TData>(options: RequestClient.RequestOptions<TData>) {
    const url = new URL(options.uri);
    const base = this.baseUrls[url.host] ?? this.baseUrls['*'];
    if (!base) return super.request<TData>(options);
    return super.request<TData>({ ...options, uri: base.replace(/\/+$/, '') + url.pathname + url.search });
  }
}

/** A twilio client for real Twilio hosts (no base URL), or with every host sent to one base URL or a host map. */
export function createTwilioClient(accountSid: string, authToken: string, baseUrl: string | Record<string, string> | undefined): TwilioClient {
  if (!baseUrl) return twilio(accountSid, authToken, { autoRetry: true });
  const baseUrls = typeof baseUrl === 'string' ? { '*': baseUrl } : baseUrl;
  return twilio(accountSid, authToken, { httpClient: new BaseUrlRequestClient(baseUrls) });
}
