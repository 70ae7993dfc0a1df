// The devices' side of the benchmark: knows, to the millisecond and without polling, when a message
// reaches a device. It watches the emulator's HTTP traffic: the emulator puts a message in the
// device's inbox (GET /Emulator/Outbound) while it handles the create call (Conversations message or
// Programmable Messaging message), so the moment that call is answered the message is at the device.
import type * as http from 'node:http';

export interface DeviceMessage {
  body: string;
  atMs: number;
}

interface Inbox {
  messages: DeviceMessage[];
  waiters: { index: number; resolve: (message: DeviceMessage) => void }[];
}

type ParsedRequest = http.IncomingMessage & { body?: Record<string, unknown> };

const CONVERSATION_PATH = /^\/v1\/(?:Services\/[^/]+\/)?Conversations\/(CH[0-9a-f]{32})\/(Participants|Messages)$/;
const SMS_PATH = /^\/2010-04-01\/Accounts\/[^/]+\/Messages\.json$/;

export class DeviceInboxes {
  private readonly inboxes = new Map<string, Inbox>();
  /** Which device a Conversation delivers to (the benchmark's Conversations have one messaging participant). */
  private readonly conversationDevice = new Map<string, string>();

  /** Wraps the emulator's request handler; call it for every request the emulator serves. */
  observe(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method !== 'POST') return;
    // Captured now: Express rewrites req.url while a mounted router handles the request.
    const path = (req.url ?? '').split('?')[0];
    res.once('finish', () => {
      if (res.statusCode !== 201) return;
      // Express has parsed the form into req.body by the time the answer is sent.
      const body = (req as ParsedRequest).body ?? {};
      const conversation = CONVERSATION_PATH.exec(path);
      if (conversation) {
        const [, conversationSid, resource] = conversation;
        if (resource === 'Participants' && typeof body['MessagingBinding.Address'] === 'string') {
          this.conversationDevice.set(conversationSid, body['MessagingBinding.Address']);
        } else if (resource === 'Messages' && typeof body.Author !== 'string') {
          // Without an Author the message is the API's (the flow's), delivered to the participant's device.
          const device = this.conversationDevice.get(conversationSid);
          if (device) this.arrived(device, String(body.Body ?? ''));
        }
        return;
      }
      if (SMS_PATH.test(path) && typeof body.To === 'string') this.arrived(body.To, String(body.Body ?? ''));
    });
  }

  private inbox(device: string): Inbox {
    let inbox = this.inboxes.get(device);
    if (!inbox) {
      inbox = { messages: [], waiters: [] };
      this.inboxes.set(device, inbox);
    }
    return inbox;
  }

  private arrived(device: string, body: string): void {
    const inbox = this.inbox(device);
    const message = { body, atMs: performance.now() };
    inbox.messages.push(message);
    const ready = inbox.waiters.filter((waiter) => waiter.index < inbox.messages.length);
    inbox.waiters = inbox.waiters.filter((waiter) => waiter.index >= inbox.messages.length);
    for (const waiter of ready) waiter.resolve(inbox.messages[waiter.index]);
  }

  /** The `index`-th message (0-based) the device receives, once it has arrived. */
  nth(device: string, index: number, timeoutMs = 60_000): Promise<DeviceMessage> {
    const inbox = this.inbox(device);
    if (index < inbox.messages.length) return Promise.resolve(inbox.messages[index]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`device ${device} did not receive message #${index + 1} within ${timeoutMs} ms`)), timeoutMs);
      inbox.waiters.push({
        index,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
      });
    });
  }

  received(device: string): DeviceMessage[] {
    return this.inboxes.get(device)?.messages ?? [];
  }

  /** How many devices have received at least `count` messages. */
  devicesWithAtLeast(count: number): number {
    let devices = 0;
    for (const inbox of this.inboxes.values()) if (inbox.messages.length >= count) devices++;
    return devices;
  }

  forget(device: string): void {
    this.inboxes.delete(device);
  }
}
