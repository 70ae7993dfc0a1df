// The benchmark's HTTP client: node:http with kept-alive connections. The client runs in the same
// process as what it measures, so it should cost as little as it can (fetch costs several times
// more CPU per request), and its cost is the same whichever side it calls.
import * as http from 'node:http';

// An idle socket is dropped by this side after 30 s, before the servers' 60 s (bench/stack.ts), so a
// request never goes out on a socket the server is closing.
const agent = new http.Agent({ keepAlive: true, maxSockets: 64, timeout: 30_000 });

export interface HttpAnswer {
  status: number;
  body: string;
}

/** POSTs a form (already encoded, or as fields) and answers the status and the body as text. */
export function postForm(url: string, form: Record<string, string> | string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const body = typeof form === 'string' ? form : new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
