// Loom's colour markup travels in event text ({r}red{x}); gateways render it. Text a player typed is
// escaped, so a player cannot colour or garble other people's screens.

/** `{` becomes `{{`, which every renderer shows as a literal brace. */
export function escapeMarkup(text: string): string {
  return text.replaceAll('{', '{{');
}

/** Removes control characters (escape sequences, bells) from what a player typed; tabs become spaces. */
export function cleanInput(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\t/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}
