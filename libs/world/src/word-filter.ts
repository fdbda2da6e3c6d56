// The configured word filter (LOOM_CHAT_WORD_FILTER): listed words, whole and in any case, become asterisks,
// in channel lines (chat-service) and in what scripts say (world-state) alike.
export function wordFilter(words: string[]): (text: string) => string {
  const cleaned = words.map((w) => w.trim()).filter(Boolean);
  if (cleaned.length === 0) return (text) => text;
  const escaped = cleaned.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(${escaped.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  return (text) => text.replace(pattern, (word) => '*'.repeat([...word].length));
}
