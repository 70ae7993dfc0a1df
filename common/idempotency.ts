// The key an execution's send carries in the message attributes (DESIGN.md decision 10). It also marks
// the message as the flow's own: the gateway never takes such a message as inbound, whatever webhook
// brings it back.

/** The message attribute under which a send's idempotency key travels. */
export const IDEMPOTENCY_ATTRIBUTE = 'studio_idempotency_key';

/** The idempotency key in a message's attributes (a JSON object as text), if it has one. */
export function idempotencyKeyOf(attributes: string | null | undefined): string | undefined {
  if (!attributes) return undefined;
  try {
    const value = JSON.parse(attributes) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const key = (value as Record<string, unknown>)[IDEMPOTENCY_ATTRIBUTE];
    return typeof key === 'string' ? key : undefined;
  } catch {
    return undefined;
  }
}
