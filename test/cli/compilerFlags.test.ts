import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CAMPAIGN_V8_FLAGS } from '../../src/index.js';

// The campaign's compiler settings (src/cli/compilerFlags.ts, docs/performance.md).
describe('the campaign compiler settings', () => {
  it('are flags this node accepts without a word', () => {
    const run = spawnSync(process.execPath, [...CAMPAIGN_V8_FLAGS, '-e', '0'], { encoding: 'utf8' });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('reach the test workers, which run the plan-verdict guard', () => {
    expect(process.execArgv).toEqual(expect.arrayContaining([...CAMPAIGN_V8_FLAGS]));
  });
});
