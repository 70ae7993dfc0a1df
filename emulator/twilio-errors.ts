// Errors leave the emulator in Twilio's shape `{code, message, more_info, status}`, with Twilio's own
// codes where its error dictionary has one (https://www.twilio.com/docs/api/errors/<code>).
import type { ErrorRequestHandler, RequestHandler } from 'express';

export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

export class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'TwilioApiError';
  }

  toBody(): TwilioErrorBody {
    return { code: this.code, message: this.message, more_info: `https://www.twilio.com/docs/errors/${this.code}`, status: this.status };
  }
}

/** Twilio error codes the emulator answers with, named so call sites read as the rule they enforce. */
export const TwilioErrorCode = {
  badRequest: 20001,
  authenticate: 20003,
  notFound: 20404,
  conflict: 20409,
  tooManyRequests: 20429,
  internalServerError: 20500,
  serviceUnavailable: 20503,
  attributesNotValidJson: 50304,
  conversationUniqueNameExists: 50353,
  tooManyConversationWebhooks: 50361,
  timeToInactiveTooShort: 50375,
  timeToClosedTooShort: 50376,
  conversationClosed: 50377,
  timeToInactiveInvalid: 50379,
  timeToClosedInvalid: 50380,
  initialStateClosed: 50384,
  bindingAlreadyInUse: 50416,
  participantNotMember: 50430,
  participantNotFound: 50432,
  participantIdentityExists: 50433,
  participantAlreadyInConversation: 50437,
  groupMmsNotEnabled: 50452,
  messageBodyRequired: 21602,
  fromRequired: 21603,
  toRequired: 21604,
  phoneNumberInvalid: 21421,
  phoneNumberNotAvailable: 21422,
  unreachableHandset: 30003,
} as const;

export function badRequest(message: string, code: number = TwilioErrorCode.badRequest): TwilioApiError {
  return new TwilioApiError(400, code, message);
}

export function notFound(resourcePath: string, code: number = TwilioErrorCode.notFound): TwilioApiError {
  return new TwilioApiError(404, code, `The requested resource ${resourcePath} was not found`);
}

export function conflict(message: string, code: number = TwilioErrorCode.conflict): TwilioApiError {
  return new TwilioApiError(409, code, message);
}

export function missingParameter(name: string): TwilioApiError {
  return badRequest(`Missing required parameter ${name} in the post body`);
}

/** Last in the chain: no route matched. */
export const unknownRoute: RequestHandler = (req) => {
  throw notFound(req.path);
};

/** Turns anything thrown by a route into a Twilio-shaped JSON error. */
export function twilioErrorHandler(onUnexpected: (error: unknown) => void): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    let twilioError: TwilioApiError;
    if (error instanceof TwilioApiError) {
      twilioError = error;
    } else if (isBodyParserError(error)) {
      twilioError = badRequest(`Request body could not be parsed: ${error.message}`);
    } else {
      onUnexpected(error);
      twilioError = new TwilioApiError(500, TwilioErrorCode.internalServerError, 'Internal Server Error');
    }
    res.status(twilioError.status).json(twilioError.toBody());
  };
}

/** body-parser's errors (malformed JSON, too large) carry a 4xx `status`. */
function isBodyParserError(error: unknown): error is Error & { status: number } {
  if (!(error instanceof Error)) return false;
  const status: unknown = (error as Error & { status?: unknown }).status;
  return typeof status === 'number' && status < 500;
}
