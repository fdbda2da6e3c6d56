// The text pane: what a text player would read (events arrive without colour) and a command line.
const output = document.getElementById('output') as HTMLDivElement;
const line = document.getElementById('line') as HTMLInputElement;
const form = document.getElementById('form') as HTMLFormElement;

export function append(text: string, className?: string): void {
  const atBottom = output.scrollTop + output.clientHeight >= output.scrollHeight - 4;
  const span = document.createElement('span');
  span.textContent = text.endsWith('\n') ? text : `${text}\n`;
  if (className) span.className = className;
  output.append(span);
  if (atBottom) output.scrollTop = output.scrollHeight;
}

/** Enables the command line; Enter sends, an empty Enter (or Escape) hands the keys back to walking. */
export function enableCommands(send: (line: string) => void): void {
  line.disabled = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = line.value.trim();
    line.value = '';
    if (text) send(text);
    else line.blur();
  });
  line.addEventListener('keydown', (event) => event.key === 'Escape' && line.blur());
  // Enter anywhere else focuses the line, as in a game's chat box.
  window.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && document.activeElement !== line) {
      event.preventDefault();
      line.focus();
    }
  });
}
