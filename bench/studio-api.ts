// The Studio v2 API as the benchmark calls it: a plain HTTP client with Basic auth and form bodies, so
// the client's own cost stays small beside the server's (the twilio client would add its own).
import type { FlowDefinition } from '../workflows/engine/types';
import { postForm } from './http-client';

export class StudioApi {
  private readonly authorization: string;

  constructor(
    private readonly apiUrl: string,
    accountSid: string,
    authToken: string,
  ) {
    this.authorization = 'Basic ' + Buffer.from(`${accountSid}:${authToken}`).toString('base64');
  }

  private async post(path: string, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
    const answer = await postForm(this.apiUrl + path, form, { authorization: this.authorization });
    return { status: answer.status, body: JSON.parse(answer.body) as Record<string, unknown> };
  }

  /** Creates a flow (the validator runs) and answers its SID; throws with the API's error otherwise. */
  async createFlow(friendlyName: string, definition: FlowDefinition | string, status: 'draft' | 'published' = 'published'): Promise<string> {
    const text = typeof definition === 'string' ? definition : JSON.stringify(definition);
    const { status: code, body } = await this.post('/v2/Flows', { FriendlyName: friendlyName, Status: status, Definition: text });
    if (code !== 201) throw new Error(`POST /v2/Flows answered ${code}: ${JSON.stringify(body).slice(0, 2000)}`);
    return String(body.sid);
  }

  /** A REST-trigger execution; answers its SID. */
  async startExecution(flowSid: string, to: string, from: string, parameters: Record<string, unknown>): Promise<string> {
    const { status, body } = await this.post(`/v2/Flows/${flowSid}/Executions`, { To: to, From: from, Parameters: JSON.stringify(parameters) });
    if (status !== 201) throw new Error(`POST /v2/Flows/${flowSid}/Executions answered ${status}: ${JSON.stringify(body)}`);
    return String(body.sid);
  }
}
