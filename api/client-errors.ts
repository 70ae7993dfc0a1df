// Requests that Node's HTTP parser refuses before Express sees them (headers over Node's 16 KB limit,
// a malformed request line or header): Node would answer a bare `400 Bad Request` with no body. The
// API answers them in Twilio's error shape like every other refusal, and closes the connection, since
// the parser cannot know where the broken request ends.
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { twilioErrorBody } from './twilio-error';

interface ParserError extends Error {
  code?: string;
}

function refusal(error: ParserError): { status: number; reason: string; message: string } {
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, reason: 'Request Header Fields Too Large', message: 'The request headers are too large' };
  }
  return { status: 400, reason: 'Bad Request', message: 'The request is not valid HTTP' };
}

/** Makes `server` answer unparseable requests with a Twilio-shaped JSON error instead of Node's empty 400. */
export function answerClientErrorsInTwilioShape(server: Server): void {
  server.on('clientError', (error: ParserError, socket: Duplex) => {
    // A reset or a timeout leaves nobody to answer; a response already begun cannot get another.
    if (error.code === 'ECONNRESET' || !socket.writable || (socket as Duplex & { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    const { status, reason, message } = refusal(error);
    const body = JSON.stringify(twilioErrorBody(status, 20001, message));
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
