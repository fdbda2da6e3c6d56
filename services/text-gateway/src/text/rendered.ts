// What a line of game markup looks like on one kind of screen (colour or not, a width or none). A line
// said in a room goes to everyone there at once, and most of them share a screen kind: it is rendered
// and wrapped once for each kind, not once per reader. The memo is small and forgets everything when
// full, since the lines it serves are the ones being delivered right now.
import { render } from './ansi.ts';
import { wrap } from './wrap.ts';

const capacity = 512;
const memo = new Map<string, string>();

/** The markup as the player reads it, with a final newline. */
export function renderedLine(markup: string, colour: boolean, width: number): string {
  const key = `${colour ? 'c' : 'p'}${width}:${markup}`;
  let text = memo.get(key);
  if (text === undefined) {
    const plain = render(markup, colour);
    text = `${width > 0 ? wrap(plain, width) : plain}\n`;
    if (memo.size >= capacity) memo.clear();
    memo.set(key, text);
  }
  return text;
}
