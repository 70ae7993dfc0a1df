// Log privacy: whatever a component logs (a field, an error message, a URL), the line written has no
// auth token, no Basic credential and no full phone number (masked to its last four digits).
import { Writable } from 'node:stream';
import { maskPhoneNumbers, redactLogLine } from '../../common/log-redaction';
import { createLogger } from '../../common/logger';

const TOKEN = 'f00dbabe5ecret7oken';

describe('log redaction', () => {
  test.each([
    ['+15551230001', '+…0001'],
    ['whatsapp:+447700900123', 'whatsapp:+…0123'],
    ['To=%2B15551230001&From=%2b15005550006', 'To=%2B…0001&From=%2b…0006'],
    ['+…0001 stays masked', '+…0001 stays masked'],
    ['offset +0100, a count of +12, a time of 1712345678901', 'offset +0100, a count of +12, a time of 1712345678901'],
  ])('masks %s', (input, expected) => {
    expect(maskPhoneNumbers(input)).toBe(expected);
  });

  test('removes the secrets it is given and Basic credentials', () => {
    const basic = Buffer.from(`AC00000000000000000000000000000000:${TOKEN}`).toString('base64');
    const line = redactLogLine(`{"msg":"token ${TOKEN} header Basic ${basic}"}`, [TOKEN, '']);
    expect(line).toBe('{"msg":"token [redacted] header Basic [redacted]"}');
  });

  test('a logger writes no token and no full phone number, wherever they hide', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger('test', 'debug', destination, [TOKEN]);
    log.info({ to: '+15551230001', authToken: TOKEN, nested: { note: `uses ${TOKEN}` } }, 'sending to +15551230001');
    log.error({ err: new Error(`The 'To' number +15551230001 is not valid (token ${TOKEN})`) }, 'failed');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).not.toContain(TOKEN);
      expect(line).not.toMatch(/\+\d{5,}/);
      expect(() => JSON.parse(line)).not.toThrow();
    }
    expect(JSON.parse(lines[0])).toMatchObject({ to: '+…0001', authToken: '[redacted]', msg: 'sending to +…0001' });
    expect(JSON.parse(lines[1]).err.message).toBe("The 'To' number +…0001 is not valid (token [redacted])");
  });
});
