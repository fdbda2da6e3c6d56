import { configMarkdown, configTable } from '@loom/runtime';

export function printConfig(options: { markdown?: boolean }): void {
  const rows = configTable();
  if (options.markdown) {
    console.log(configMarkdown());
    return;
  }
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) console.log(`${r.name.padEnd(width)}  ${(r.default ?? '(unset)').padEnd(16)}  ${r.description}`);
}
