// The scripting API reference of docs/scripting.md, made from the sandbox's own declarations.
import { apiReference } from './core/api.ts';

export function scriptingApiMarkdown(): string {
  const lines = ['<!-- api:start (generated from services/script-executor/src/core/api.ts: `npx loom scripting-api`) -->', ''];
  for (const entry of apiReference) {
    lines.push(`### \`${entry.signature}\``, '', entry.description, '', '```js', entry.example, '```', '');
  }
  lines.push('<!-- api:end -->');
  return lines.join('\n');
}
