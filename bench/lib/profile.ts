/**
 * Summary of a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by package, and
 * inclusive time of the server's own functions. Usage as a script:
 *   node --import tsx bench/lib/profile.ts <file.cpuprofile> [top]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

function where(url: string): string {
  if (!url) return '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const pk = /packages\/([^/]+)\/(?:dist|src)\/(.+)$/.exec(url);
  if (pk) return `@latchkey/${pk[1]} ${pk[2]}`;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '');
}

/** `windowUs`: only samples inside [from, to] (CLOCK_MONOTONIC µs, i.e. process.hrtime.bigint() / 1000 in any process). */
export function summarizeProfile(file: string, top = 25, windowUs?: [number, number]): string {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: Node[];
    startTime: number;
    endTime: number;
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Self time per node from samples × deltas.
  const self = new Map<number, number>();
  let ts = prof.startTime;
  for (let i = 0; i < prof.samples.length; i++) {
    ts += prof.timeDeltas[i] ?? 0;
    if (windowUs && (ts < windowUs[0] || ts > windowUs[1])) continue;
    self.set(prof.samples[i]!, (self.get(prof.samples[i]!) ?? 0) + (prof.timeDeltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self.entries()]
    .filter(([id]) => ['(idle)', '(program)'].includes(byId.get(id)!.callFrame.functionName))
    .reduce((a, [, v]) => a + v, 0);
  const busy = total - idle;

  const fnSelf = new Map<string, number>();
  const pkgSelf = new Map<string, number>();
  const fnIncl = new Map<string, number>();
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    const name = n.callFrame.functionName || '(anonymous)';
    if (name === '(idle)' || name === '(program)') continue;
    const key = `${name}  ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
    fnSelf.set(key, (fnSelf.get(key) ?? 0) + t);
    const pkg = n.callFrame.url ? where(n.callFrame.url).split(' ')[0]! : name === '(garbage collector)' ? '(gc)' : '(native)';
    pkgSelf.set(pkg, (pkgSelf.get(pkg) ?? 0) + t);
    // Inclusive: every distinct server function on the stack.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const c = byId.get(cur)!.callFrame;
      if (!/packages\/server\/(dist|src)\//.test(c.url)) continue;
      const k = `${c.functionName || '(anonymous)'}  ${where(c.url)}:${c.lineNumber + 1}`;
      if (seen.has(k)) continue;
      seen.add(k);
      fnIncl.set(k, (fnIncl.get(k) ?? 0) + t);
    }
  }
  const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((us / busy) * 100).toFixed(1).padStart(5)} %`;
  const list = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `  ${ms(v)}  ${k}`)
      .join('\n');
  return [
    `profile ${file}${windowUs ? ' (measured window only)' : ''}: ${(total / 1e6).toFixed(1)} s sampled, ` +
      `${(busy / 1e6).toFixed(1)} s not idle (percentages of that; time blocked in synchronous calls counts as busy)`,
    'self time by package:',
    list(pkgSelf, 12),
    `self time by function (top ${top}):`,
    list(fnSelf, top),
    `inclusive time, server functions (top ${top}):`,
    list(fnIncl, top),
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(summarizeProfile(process.argv[2]!, Number(process.argv[3] ?? 25)));
}
