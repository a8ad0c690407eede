import { describe, expect, it } from 'vitest';
import { MODEL_MUTANTS, activateMutant, activeMutant, mutated } from '../../model/gitlab/mutations.js';
import type { ModelMutant } from '../../model/gitlab/mutations.js';

/**
 * The mutation registry behind `npm run mutants` must never change the model unless asked: with
 * PGDRILL_MUTANT unset no mutant is active, and switching one on and off restores the default.
 */
describe('the mutation registry', () => {
  const names = Object.keys(MODEL_MUTANTS) as ModelMutant[];

  it('is inert by default', () => {
    expect(process.env['PGDRILL_MUTANT'] ?? '').toBe('');
    expect(activeMutant()).toBeNull();
    for (const name of names) expect(mutated(name)).toBe(false);
  });

  it('switches exactly one mutant on, and back off', () => {
    activateMutant('sync-trigger-ignores-update');
    try {
      expect(names.filter((name) => mutated(name))).toEqual(['sync-trigger-ignores-update']);
    } finally {
      activateMutant(null);
    }
    expect(names.some((name) => mutated(name))).toBe(false);
  });

  it('holds at least fifteen described mistakes', () => {
    expect(names.length).toBeGreaterThanOrEqual(15);
    for (const name of names) expect(MODEL_MUTANTS[name].length).toBeGreaterThan(20);
  });
});
