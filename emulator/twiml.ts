// The part of Messaging TwiML an SmsUrl reply can use: `<Message>` verbs, which Twilio sends back to
// the device. Anything else (`<Redirect>`, unknown verbs) is ignored, as a harmless no-op.

export interface TwimlMessage {
  body: string;
  to: string | undefined;
  from: string | undefined;
  statusCallback: string | undefined;
  mediaUrls: string[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXmlText(text: string): string {
  return text
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_match, data: string) => data)
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (match, entity: string) => {
      if (entity.startsWith('#x') || entity.startsWith('#X')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
      if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
      return ENTITIES[entity.toLowerCase()] ?? match;
    });
}

function attributesOf(text: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const match of text.matchAll(/([A-Za-z_:][\w:.-]*)\s*=\s*("([^"]*)"|'([^']*)')/g)) {
    attributes[match[1]] = decodeXmlText(match[3] ?? match[4] ?? '');
  }
  return attributes;
}

/** The `<Message>` verbs of a TwiML document, in order; [] for an empty or non-TwiML reply. */
export function parseTwimlMessages(xml: string): TwimlMessage[] {
  if (!/<Response[\s>/]/.test(xml)) return [];
  const messages: TwimlMessage[] = [];
  for (const match of xml.matchAll(/<Message\b([^>]*?)(?:\/>|>([\s\S]*?)<\/Message>)/g)) {
    const attributes = attributesOf(match[1]);
    const content = match[2] ?? '';
    const bodyElement = /<Body>([\s\S]*?)<\/Body>/.exec(content);
    const mediaUrls = [...content.matchAll(/<Media>([\s\S]*?)<\/Media>/g)].map((media) => decodeXmlText(media[1].trim()));
    const body = bodyElement ? bodyElement[1] : /<(Body|Media)>/.test(content) ? '' : content;
    messages.push({
      body: decodeXmlText(body).trim(),
      to: attributes.to,
      from: attributes.from,
      statusCallback: attributes.statusCallback ?? attributes.action,
      mediaUrls,
    });
  }
  return messages.filter((message) => message.body !== '' || message.mediaUrls.length > 0);
}
