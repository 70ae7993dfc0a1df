// Injected failures (POST /Emulator/Faults): the next Count calls of an operation fail as Twilio would
// fail them, so callers can test their error handling without a real outage.
import type { FaultOperation, FaultRecord, StateStore } from './state';
import { FAULT_OPERATIONS } from './state';
import { badRequest, TwilioApiError, TwilioErrorCode } from './twilio-errors';

export interface FaultRequest {
  operation: string;
  address?: string;
  count?: number;
  httpStatus?: number;
  code?: number;
  deliveryStatus?: string;
}

const DEFAULT_CODE_FOR_STATUS: Record<number, number> = {
  400: TwilioErrorCode.badRequest,
  404: TwilioErrorCode.notFound,
  409: TwilioErrorCode.conflict,
  429: TwilioErrorCode.tooManyRequests,
  500: TwilioErrorCode.internalServerError,
  503: TwilioErrorCode.serviceUnavailable,
};

const MESSAGE_FOR_STATUS: Record<number, string> = {
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function isFaultOperation(value: string): value is FaultOperation {
  return (FAULT_OPERATIONS as readonly string[]).includes(value);
}

export class FaultInjector {
  constructor(private readonly store: StateStore) {}

  add(request: FaultRequest): FaultRecord {
    if (!isFaultOperation(request.operation)) {
      throw badRequest(`Operation must be one of ${FAULT_OPERATIONS.join(', ')}, got "${request.operation}"`);
    }
    const count = request.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw badRequest('Count must be a positive integer');
    const httpStatus = request.httpStatus ?? 500;
    if (!Number.isInteger(httpStatus) || httpStatus < 400 || httpStatus > 599) throw badRequest('Status must be an HTTP error status (400-599)');
    const deliveryStatus = request.deliveryStatus ?? 'undelivered';
    if (deliveryStatus !== 'failed' && deliveryStatus !== 'undelivered') throw badRequest('DeliveryStatus must be failed or undelivered');
    const isDelivery = request.operation === 'deliver';
    const fault: FaultRecord = {
      operation: request.operation,
      address: request.address ?? null,
      remaining: count,
      httpStatus,
      code: request.code ?? (isDelivery ? TwilioErrorCode.unreachableHandset : (DEFAULT_CODE_FOR_STATUS[httpStatus] ?? TwilioErrorCode.internalServerError)),
      deliveryStatus,
    };
    this.store.state.faults.push(fault);
    this.store.changed();
    return fault;
  }

  list(): readonly FaultRecord[] {
    return this.store.state.faults;
  }

  clear(): void {
    this.store.state.faults = [];
    this.store.changed();
  }

  /**
   * Consumes one matching fault, if any. A fault with an address matches only calls that concern that
   * address; a fault without one matches every call of the operation.
   */
  take(operation: FaultOperation, addresses: readonly string[] = []): FaultRecord | undefined {
    const faults = this.store.state.faults;
    const index = faults.findIndex((fault) => fault.operation === operation && (fault.address === null || addresses.includes(fault.address)));
    if (index < 0) return undefined;
    const fault = faults[index];
    fault.remaining -= 1;
    if (fault.remaining <= 0) faults.splice(index, 1);
    this.store.changed();
    return { ...fault };
  }

  /** For REST operations: throws the Twilio error the fault describes. */
  failIfFaulted(operation: FaultOperation, addresses: readonly string[] = []): void {
    const fault = this.take(operation, addresses);
    if (!fault) return;
    const message = MESSAGE_FOR_STATUS[fault.httpStatus] ?? 'Request failed';
    throw new TwilioApiError(fault.httpStatus, fault.code, `${message} (emulated fault on ${operation})`);
  }
}
