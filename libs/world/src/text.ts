// What text may enter the world and its store. Every string that arrives from outside (a command, a
// REST body, what a script returns, a name, an attribute) goes through cleanText or cleanValue at the
// boundary; PostgreSQL refuses the rest (NUL, lone surrogates) and would fail a whole save batch.

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS_AND_NEWLINES = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// What PostgreSQL's text and jsonb refuse.
const UNSTORABLE = new RegExp(`\\u0000|${LONE_SURROGATE.source}`);

/** Well-formed Unicode: each lone surrogate (half of a pair, as JSON's `\\ud800` can make) becomes U+FFFD. */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd');
}

/**
 * Well-formed Unicode (a lone surrogate becomes U+FFFD) without NUL, escape sequences or other C0/C1
 * controls. Tabs stay; newlines stay only where `multiline` (descriptions, script sources).
 */
export function cleanText(text: string, multiline = false): string {
  return wellFormed(text).replace(multiline ? CONTROLS : CONTROLS_AND_NEWLINES, '');
}

/** A JSON value with every string in it (keys too) cleaned as multi-line text. */
export function cleanValue(value: unknown): unknown {
  if (typeof value === 'string') return cleanText(value, true);
  if (Array.isArray(value)) return value.map(cleanValue);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [cleanText(key), cleanValue(item)]));
  }
  return value;
}

/** The first string in `value` (keys included) that no store would take, or undefined when all are fine. */
export function unstorable(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path || 'a string' : undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = unstorable(item, `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = unstorable(key, `${path} key`) ?? unstorable(item, path ? `${path}.${key}` : key);
      if (found) return found;
    }
  }
  return undefined;
}
