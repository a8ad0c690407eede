import { describe, expect, it } from 'vitest';
import { parseArguments } from '../../src/cli/args.js';
import { parseSeed } from '../../src/cli/seeds.js';
import { UserInputError } from '../../src/harness/userInputError.js';

describe('command-line arguments', () => {
  it('parses check with every flag', () => {
    expect(
      parseArguments(['check', 'incident-2024-10-31', '--runs', '50', '--seed=42', '--time-limit', '3', '--json']),
    ).toEqual({
      kind: 'check',
      targets: ['incident-2024-10-31'],
      runs: 50,
      seed: 42,
      timeLimitSeconds: 3,
      json: true,
      save: true,
      workers: 1,
      shard: null,
      reporter: 'json',
      html: null,
      concurrency: null,
    });
  });

  it('accepts a git commit hash as a seed, deterministically', () => {
    const hash = '0123456789abcdef0123456789abcdef01234567';
    expect(parseSeed(hash)).toBe(parseSeed(hash.toUpperCase()));
    expect(Number.isInteger(parseSeed(hash))).toBe(true);
  });

  it.each([
    [
      ['check', '--seed', 'banana'],
      'invalid seed "banana": expected a 32-bit integer or a 40-character git commit hash',
    ],
    [['check', '--runs', '0'], '--runs takes a positive whole number, not "0"'],
    [
      ['check', '--frobnicate'],
      'check does not take --frobnicate (it takes --runs, --seed, --time-limit, --json, --no-save, --workers, --shard, --reporter, --html, --concurrency)',
    ],
    [
      ['replay', 'incident-2024-10-31', '--seed', '1'],
      'replay PLAN needs --seed and --path (as printed by pgdrill check)',
    ],
    [
      ['replay', 'x', '--seed', '1', '--path', '1:a'],
      'invalid path "1:a": expected numbers separated by colons, as printed by pgdrill check',
    ],
    [['check', '--shard', '3/2'], 'invalid --shard "3/2": expected i/n with 1 ≤ i ≤ n, e.g. 2/4'],
    [
      ['check', '--shard', '1/2', '--reporter', 'junit'],
      'check --shard prints a shard report, not verdicts: give --reporter junit to pgdrill merge',
    ],
    [
      ['check', '--shard', '1/2', '--html', 'reports'],
      'check --shard prints a shard report, not verdicts: give --html to pgdrill merge',
    ],
    [['check', '--workers', 'many'], '--workers takes a positive whole number, not "many"'],
    [
      ['explode'],
      'unknown command "explode" (commands: plans, check, replay, merge, diff, steps, invariants, probes, operations, schema, new-plan; try pgdrill help)',
    ],
  ])('%j is rejected with one line', (argv, message) => {
    expect(() => parseArguments(argv)).toThrow(UserInputError);
    expect(() => parseArguments(argv)).toThrow(message);
  });
});
