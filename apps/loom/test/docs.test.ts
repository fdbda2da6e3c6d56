// Generated reference docs stay in step with the code that they describe.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { commandsMarkdown } from '@loom/world-state';

test('docs/commands.md matches the command declarations', () => {
  const doc = readFileSync(new URL('../../../docs/commands.md', import.meta.url), 'utf8');
  assert.equal(doc, commandsMarkdown(), 'docs/commands.md is out of date: run `npx loom commands > docs/commands.md`');
});

test("docs/scripting.md's API reference matches the sandbox's declarations", async () => {
  const { scriptingApiMarkdown } = await import('@loom/script-executor');
  const doc = readFileSync(new URL('../../../docs/scripting.md', import.meta.url), 'utf8');
  const section = /<!-- api:start[\s\S]*?<!-- api:end -->/.exec(doc);
  assert.ok(section, 'docs/scripting.md lacks its API reference markers');
  assert.equal(section[0], scriptingApiMarkdown(), 'docs/scripting.md is out of date: replace its API section with `npx loom scripting-api`');
});
