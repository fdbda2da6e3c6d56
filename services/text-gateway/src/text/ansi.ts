// Colour for server text as a small markup, so game text never holds raw escape codes: {r}red{x}.
// Codes: {r} {g} {y} {b} {m} {c} {w} colours, {B} bold, {x} reset, {{ a literal brace. Anything
// else in braces is left as written. Players' text goes through stripAnsi and escapeMarkup first,
// so that neither escape bytes nor markup typed by one player colour another player's screen.

const SGR: Record<string, number> = { x: 0, B: 1, r: 31, g: 32, y: 33, b: 34, m: 35, c: 36, w: 37 };

const MARKUP = /\{\{|\{([xBrgybmcw])\}/g;

/**
 * One escape sequence: CSI (ESC [ ... final byte), OSC (ESC ] ... BEL or ESC \, or to the end of
 * the text if unterminated) or any other escape (ESC, intermediate bytes, final byte: ESC 7, ESC ( B).
 * Not global: copy it with the flags you need.
 */
// eslint-disable-next-line no-control-regex -- matching the escape character is the point
export const ANSI_ESCAPE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[ -/]*[0-~])/;

const ESCAPES = new RegExp(ANSI_ESCAPE.source, 'g');
/** Controls left after escapes are gone: C0 except tab and newline, DEL, and C1. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** Markup to ANSI SGR escapes (`colour`) or to plain text. Coloured text ends reset, so colour cannot leak into what follows. */
export function render(markup: string, colour: boolean): string {
  let coloured = false;
  const text = markup.replace(MARKUP, (match, code: string | undefined) => {
    if (code === undefined) return '{';
    if (!colour) return '';
    coloured = code !== 'x';
    return `\x1b[${SGR[code]}m`;
  });
  return coloured ? `${text}\x1b[0m` : text;
}

/** Removes escape sequences and control characters (tab and newline stay) from text a player typed. */
export function stripAnsi(text: string): string {
  return text.replace(ESCAPES, '').replace(CONTROLS, '');
}

/** Makes player text print as typed when it is embedded in markup: `{r}` stays `{r}`, not red. */
export function escapeMarkup(text: string): string {
  return text.replaceAll('{', '{{');
}
