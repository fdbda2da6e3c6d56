// Word wrap for the client's width (NAWS). Width is counted in code points outside escape sequences:
// an escape is zero-width and never split, and colour needs no re-emitting after a break because
// terminals keep SGR state across lines. Wide (CJK, emoji) and combining characters count as one
// column each, which is wrong for them but right for everything the game itself writes.
import { ANSI_ESCAPE } from './ansi.ts';

/** A word may carry escapes anywhere in it; they stay attached to the characters around them. */
const TOKEN = new RegExp(`( +)|(?:${ANSI_ESCAPE.source}|[^ ])+`, 'gu');
/** The units a word is broken into: a whole escape sequence, or one code point. */
const UNIT = new RegExp(`${ANSI_ESCAPE.source}|[^]`, 'gu');

/** Wraps each line of `text` to `width` columns, keeping existing newlines and breaking words longer than a line. */
export function wrap(text: string, width: number): string {
  const columns = Math.max(1, Math.floor(width));
  return text
    .split('\n')
    .map((line) => wrapLine(line, columns))
    .join('\n');
}

function wrapLine(line: string, width: number): string {
  const lines: string[] = [];
  let current = '';
  let used = 0;
  // Spaces are held until the next word shows whether they fall inside a line or at a break.
  let spaces = '';
  // Nothing visible yet means nothing to break: a line is never left empty (escapes carry over).
  const breakLine = () => {
    if (used > 0) {
      lines.push(current);
      current = '';
    }
    used = 0;
    spaces = '';
  };
  for (const [text, whitespace] of line.matchAll(TOKEN)) {
    if (whitespace !== undefined) {
      spaces += whitespace;
      continue;
    }
    const units = [...text.matchAll(UNIT)].map(([unit]) => unit);
    const wordWidth = units.filter((unit) => !isEscape(unit)).length;
    if (used + spaces.length + wordWidth <= width) {
      current += spaces + text;
      used += spaces.length + wordWidth;
    } else if (wordWidth <= width) {
      breakLine();
      current += text;
      used = wordWidth;
    } else {
      // Longer than a whole line: fill what is left of this one, then cut it into full lines.
      if (used + spaces.length >= width) breakLine();
      current += spaces;
      used += spaces.length;
      for (const unit of units) {
        const unitWidth = isEscape(unit) ? 0 : 1;
        if (unitWidth > 0 && used === width) breakLine();
        current += unit;
        used += unitWidth;
      }
    }
    spaces = '';
  }
  // Trailing spaces stay if they fit (a "Name: " before input), otherwise they were only a break.
  if (used + spaces.length <= width) current += spaces;
  lines.push(current);
  return lines.join('\n');
}

function isEscape(unit: string): boolean {
  return unit.length > 1 && unit.startsWith('\x1b');
}
