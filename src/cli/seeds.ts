import { createHash, randomInt } from 'node:crypto';
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

export function parsePath(text: string): string {
  if (!/^\d+(:\d+)*$/.test(text)) throw new UserInputError(`invalid path "${text}": expected numbers separated by colons, as printed by pgdrill check`);
  return text;
}
