// ANSI for the text gateway: game text arrives in Loom's markup ({r}red{x}, libs/world/src/markup.ts) and is
// rendered here; players' text goes through stripAnsi and escapeMarkup first, so that neither escape
// bytes nor markup typed by one player colour another player's screen.
export { escapeMarkup, renderMarkup as render } from '@loom/world';

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

/** Removes escape sequences and control characters (tab and newline stay) from text a player typed. */
export function stripAnsi(text: string): string {
  return text.replace(ESCAPES, '').replace(CONTROLS, '');
}
