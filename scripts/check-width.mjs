// Prettier does not wrap comments or long strings; this keeps every source line within its printWidth.
// Run by `npm run lint`. Prints each offending line as path:line and exits 1.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const width = JSON.parse(readFileSync(new URL('../.prettierrc.json', import.meta.url), 'utf8')).printWidth;
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.js', '*.mjs', '*.css', '*.json'], {
  encoding: 'utf8',
})
  .split('\n')
  .filter((f) => f && !f.endsWith('package-lock.json') && !f.includes('/fixtures/')); // recorded data, not source
let bad = 0;
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    continue; // listed but deleted in the working tree
  }
  text.split('\n').forEach((line, i) => {
    if ([...line].length > width) {
      bad++;
      console.log(`${file}:${i + 1}: ${[...line].length} > ${width} characters`);
    }
  });
}
if (bad > 0) {
  console.log(`${bad} line(s) over ${width} characters`);
  process.exit(1);
}
