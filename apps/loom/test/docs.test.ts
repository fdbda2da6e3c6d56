// Generated reference docs stay in step with the code that they describe.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { commandsMarkdown } from '@loom/world-state';

test('docs/commands.md matches the command declarations', () => {
  const doc = readFileSync(new URL('../../../docs/commands.md', import.meta.url), 'utf8');
  assert.equal(doc, commandsMarkdown(), 'docs/commands.md is out of date: run `npx loom commands > docs/commands.md`');
});
