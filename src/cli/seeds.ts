import { createHash, randomInt } from 'node:crypto';
import { CHUNK_RUNS } from '../harness/campaign.js';
import { UserInputError } from '../harness/userInputError.js';

/**
 * Seeds are 32-bit integers, as fast-check uses. A 40-character git commit hash is accepted as
 * well (TigerBeetle's trick), so CI can run "random" seeds that are still reproducible.
 */
export function parseSeed(text: string): number {
  if (/^-?\d+$/.test(text)) {
    const value = Number(text);
    if (Number.isSafeInteger(value) && value >= -(2 ** 31) && value < 2 ** 32) return value | 0;
  }
  if (/^[0-9a-f]{40}$/i.test(text)) return createHash('sha256').update(text.toLowerCase()).digest().readInt32BE(0);
  throw new UserInputError(`invalid seed "${text}": expected a 32-bit integer or a 40-character git commit hash`);
}

/** A fresh seed for exploratory campaigns; it is always printed so the run can be repeated. */
export function freshSeed(): number {
  return randomInt(-(2 ** 31), 2 ** 31 - 1);
}

/**
 * Bounds of a replay path (`run:shrink:shrink…`), checked before fast-check walks it: the first
 * number is a run of one chunk, each later one an index among a value's shrinks, and fast-check
 * would generate or skip that many values first, so a huge number spins instead of failing.
 */
export const PATH_LIMITS = { parts: 5_000, shrinkIndex: 1_000_000 } as const;

export function parsePath(text: string): string {
  const parts = text.split(':');
  if (parts.length > PATH_LIMITS.parts)
    throw new UserInputError(
      `invalid path: ${parts.length} parts, but a path printed by pgdrill check has at most ${PATH_LIMITS.parts}`,
    );
  if (!parts.every((part) => /^\d{1,30}$/.test(part))) {
    throw new UserInputError(
      `invalid path "${text.length > 60 ? `${text.slice(0, 60)}…` : text}": expected numbers separated by colons, as printed by pgdrill check`,
    );
  }
  if (Number(parts[0]) >= CHUNK_RUNS)
    throw new UserInputError(
      `invalid path: it starts with run ${parts[0]!}, but a chunk has ${CHUNK_RUNS} runs (0 to ${CHUNK_RUNS - 1})`,
    );
  const big = parts.slice(1).find((part) => Number(part) > PATH_LIMITS.shrinkIndex);
  if (big !== undefined)
    throw new UserInputError(
      `invalid path: shrink index ${big} is past ${PATH_LIMITS.shrinkIndex}, more than any value has shrinks`,
    );
  return text;
}
