// Character sets: the RFC 2066 CHARSET subnegotiation, and turning bytes into text and back.
// UTF-8 is assumed unless the client refused it and its terminal type does not claim it; the only
// fallback is Latin-1, which covers the old clients that still exist.

const REQUEST = 1;
const ACCEPTED = 2;
const REJECTED = 3;

export type CharsetMessage = { kind: 'request'; names: string[] } | { kind: 'accepted'; name: string } | { kind: 'rejected' };

/** IAC SB CHARSET payload asking the client to switch to UTF-8. */
export function charsetRequest(): Buffer {
  return Buffer.concat([Buffer.of(REQUEST), Buffer.from(';UTF-8', 'ascii')]);
}

export function charsetAccepted(name: string): Buffer {
  return Buffer.concat([Buffer.of(ACCEPTED), Buffer.from(name, 'ascii')]);
}

export function charsetRejected(): Buffer {
  return Buffer.of(REJECTED);
}

export function isUtf8Name(name: string): boolean {
  return /^utf-?8$/i.test(name.trim());
}

/** Reads a CHARSET payload; translation tables (TTABLE-*) are not supported and read as undefined. */
export function parseCharset(payload: Buffer): CharsetMessage | undefined {
  const text = payload.subarray(1).toString('latin1');
  switch (payload[0]) {
    case REQUEST: {
      // REQUEST [ "[TTABLE]" version ] <sep> name <sep> name ...: the first byte after the optional
      // TTABLE marker is the separator the client chose.
      const list = text.startsWith('[TTABLE]') ? text.slice('[TTABLE]'.length + 1) : text;
      const separator = list[0];
      if (separator === undefined) return undefined;
      return { kind: 'request', names: list.slice(1).split(separator).filter((name) => name !== '') };
    }
    case ACCEPTED:
      return { kind: 'accepted', name: text };
    case REJECTED:
      return { kind: 'rejected' };
    default:
      return undefined;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Typed bytes to text. In UTF-8 invalid sequences become U+FFFD (never an exception). Without
 * UTF-8 a line that is valid UTF-8 is still read as such: Latin-1 typing almost never forms valid
 * multi-byte sequences by chance, while UTF-8 terminals behind clients that refuse CHARSET are
 * common. Other lines are Latin-1.
 */
export function decodeInput(bytes: Buffer, utf8: boolean): string {
  if (utf8) return bytes.toString('utf8');
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

/** Text to bytes; in Latin-1 a character it lacks becomes '?'. */
export function encodeOutput(text: string, utf8: boolean): Buffer {
  if (utf8) return Buffer.from(text, 'utf8');
  return Buffer.from(text.replace(/[\u{100}-\u{10ffff}]/gu, '?'), 'latin1');
}
