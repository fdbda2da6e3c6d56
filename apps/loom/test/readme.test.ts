// The README's configuration table is the code's: this fails when a setting changes and the README does not.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { configMarkdown } from '@loom/runtime';

test("the README's configuration table matches `loom config --markdown`", () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = /<!-- config:start -->\n([\s\S]*?)\n<!-- config:end -->/.exec(readme);
  assert.ok(section, 'README.md lacks the <!-- config:start --> ... <!-- config:end --> markers');
  assert.equal(section[1], configMarkdown(), 'README.md is out of date: paste the output of `npx loom config --markdown` between the markers');
});
