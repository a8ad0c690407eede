/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time by function and by file,
 * and inclusive ("total") time by function, as percentages of the analysed samples.
 *
 *   node dist/bench/analyzeProfile.js <file.cpuprofile | directory> [--top 25] [--under engineBatch]
 *
 * A directory means its newest .cpuprofile. `--under NAME` keeps only samples whose stack
 * contains a function called NAME (e.g. the benchmark's engine loop), so preload, ceiling and
 * idle time drop out; GC samples sit at the root and are then reported separately.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function parseArguments(argv: readonly string[]): { path: string; top: number; under: string | null } {
  let path: string | null = null;
  let top = 25;
  let under: string | null = null;
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (argument === '--top') top = Number(argv[++index]);
    else if (argument === '--under') under = argv[++index] ?? null;
    else path = argument;
  }
  if (path === null || !Number.isInteger(top) || top <= 0) {
    console.error(
      'usage: node dist/bench/analyzeProfile.js <file.cpuprofile | directory> [--top N] [--under functionName]',
    );
    process.exit(2);
  }
  return { path, top, under };
}

function newestProfile(path: string): string {
  if (!statSync(path).isDirectory()) return path;
  const files = readdirSync(path)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => join(path, name))
    .sort((left, right) => statSync(right).mtimeMs - statSync(left).mtimeMs);
  if (files.length === 0) throw new Error(`no .cpuprofile in ${path}`);
  return files[0]!;
}

function shortUrl(url: string): string {
  if (url === '') return '(native/vm)';
  const path = url.startsWith('file://') ? url.slice('file://'.length) : url;
  return path.startsWith(process.cwd()) ? relative(process.cwd(), path) : path;
}

function frameLabel(frame: CallFrame): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  return frame.url === '' ? name : `${name}  ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
}

function formatRows(title: string, totals: Map<string, number>, denominator: number, top: number): string {
  const rows = [...totals.entries()].sort((left, right) => right[1] - left[1]).slice(0, top);
  const lines = rows.map(
    ([label, micros], index) =>
      `${String(index + 1).padStart(3)}. ${((100 * micros) / denominator).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(1).padStart(9)} ms  ${label}`,
  );
  return [`${title}`, ...lines].join('\n');
}

function main(): void {
  const { path, top, under } = parseArguments(process.argv.slice(2));
  const file = newestProfile(path);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  }
  const stackOf = (id: number): ProfileNode[] => {
    const stack: ProfileNode[] = [];
    for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current))
      stack.push(byId.get(current)!);
    return stack;
  };
  const stackCache = new Map<number, ProfileNode[]>();

  const selfByFunction = new Map<string, number>();
  const selfByFile = new Map<string, number>();
  const totalByFunction = new Map<string, number>();
  let analysed = 0;
  let all = 0;
  let gcOutside = 0;
  for (let index = 0; index < profile.samples.length; index++) {
    const id = profile.samples[index]!;
    // timeDeltas[i] is the gap before sample i; attribute the gap after it (the next delta).
    const micros = Math.max(0, profile.timeDeltas[index + 1] ?? profile.timeDeltas[index] ?? 0);
    all += micros;
    let stack = stackCache.get(id);
    if (stack === undefined) {
      stack = stackOf(id);
      stackCache.set(id, stack);
    }
    const leaf = stack[0]!.callFrame;
    if (under !== null && !stack.some((node) => node.callFrame.functionName === under)) {
      if (leaf.functionName === '(garbage collector)') gcOutside += micros;
      continue;
    }
    analysed += micros;
    selfByFunction.set(frameLabel(leaf), (selfByFunction.get(frameLabel(leaf)) ?? 0) + micros);
    selfByFile.set(shortUrl(leaf.url), (selfByFile.get(shortUrl(leaf.url)) ?? 0) + micros);
    const seen = new Set<string>();
    for (const node of stack) {
      const label = frameLabel(node.callFrame);
      if (seen.has(label)) continue;
      seen.add(label);
      totalByFunction.set(label, (totalByFunction.get(label) ?? 0) + micros);
    }
  }
  if (analysed === 0)
    throw new Error(under === null ? 'the profile has no samples' : `no sample has ${under} on its stack`);
  console.log(
    `profile ${file}: ${(all / 1000).toFixed(0)} ms sampled, ${(analysed / 1000).toFixed(0)} ms analysed${under === null ? '' : ` (under ${under})`}`,
  );
  if (under !== null)
    console.log(
      `(garbage collector) outside that subtree: ${(gcOutside / 1000).toFixed(0)} ms = ${((100 * gcOutside) / analysed).toFixed(1)}% of the analysed time (V8 attributes GC to the root)`,
    );
  console.log('');
  console.log(formatRows(`self time by function (top ${top})`, selfByFunction, analysed, top));
  console.log('');
  console.log(formatRows('self time by file', selfByFile, analysed, top));
  console.log('');
  console.log(formatRows(`inclusive time by function (top ${top})`, totalByFunction, analysed, top));
}

main();
