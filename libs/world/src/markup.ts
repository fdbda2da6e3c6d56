// Loom's colour markup, the convention between world-state (which writes game text in it) and the gateways
// (which render it): {r} {g} {y} {b} {m} {c} {w} colours, {B} bold, {x} reset, {{ a literal brace.
// Anything else in braces is left as written.
import { wellFormed } from './text.ts';

const SGR: Record<string, number> = { x: 0, B: 1, r: 31, g: 32, y: 33, b: 34, m: 35, c: 36, w: 37 };

const MARKUP = /\{\{|\{([xBrgybmcw])\}/g;

/** Markup to ANSI SGR escapes (`colour`) or to plain text. Coloured text ends reset, so colour cannot leak into what follows. */
export function renderMarkup(markup: string, colour: boolean): string {
  let coloured = false;
  const text = markup.replace(MARKUP, (match, code: string | undefined) => {
    if (code === undefined) return '{';
    if (!colour) return '';
    coloured = code !== 'x';
    return `\x1b[${SGR[code]}m`;
  });
  return coloured ? `${text}\x1b[0m` : text;
}

/** Makes player text print as typed when it is embedded in markup: `{r}` stays `{r}`, not red. */
export function escapeMarkup(text: string): string {
  return text.replaceAll('{', '{{');
}

/** Removes control characters (escape sequences, bells) from what a player typed; tabs become spaces. */
export function cleanInput(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return wellFormed(text).replace(/\t/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}
