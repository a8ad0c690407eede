import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { planReferenceMarkdown, withReference } from '../src/harness/planDocs.js';
import { packageRoot } from '../model/runners/cli.js';
import { runnersDomain } from '../model/runners/domain.js';

/**
 * The docs users read agree with the code: docs/plans.md's reference block is what the field
 * declarations render to (set PGDRILL_WRITE_DOCS=1 to rewrite it after changing a declaration),
 * and docs/invariants.md has a section per invariant quoting its sentence exactly.
 */
const root = packageRoot();

describe('docs', () => {
  it('docs/plans.md carries the reference generated from the declarations', () => {
    const file = join(root, 'docs', 'plans.md');
    const page = readFileSync(file, 'utf8');
    const expected = withReference(page, planReferenceMarkdown(runnersDomain));
    expect(expected, 'docs/plans.md lost its reference markers').not.toBeNull();
    if (process.env.PGDRILL_WRITE_DOCS === '1' && expected !== page) writeFileSync(file, expected!);
    expect(page).toBe(expected);
  });

  it('docs/invariants.md has one section per invariant, quoting its sentence', () => {
    const page = readFileSync(join(root, 'docs', 'invariants.md'), 'utf8');
    const headings = [...page.matchAll(/^## (\S+)$/gm)].map((match) => match[1]);
    expect(headings).toEqual(runnersDomain.invariants.map((invariant) => invariant.id));
    for (const invariant of runnersDomain.invariants) {
      const section = page.slice(page.indexOf(`## ${invariant.id}\n`)).split(/^## /m)[1]!;
      expect(section, invariant.id).toContain(`> ${invariant.sentence}\n`);
      expect(section, invariant.id).toMatch(/\*\*Checks:\*\* \S[\s\S]*\*\*Does not check:\*\* \S/);
    }
  });
});
