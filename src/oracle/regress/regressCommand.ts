/**
 * `pgdrill diff --regress`: runs every case ported from PostgreSQL's regression suite on the
 * engine and on real PostgreSQL (embedded PGlite, or DATABASE_URL) and prints
 * `{cases, agree, divergences, unsupported}`. Exits 1 on any divergence.
 */
import type { CliIo } from '../../cli/runCli.js';
import { stableStringify } from '../../harness/json.js';
import { openOracleSession } from '../pgClientSession.js';
import { REGRESS_CASES } from './cases/index.js';
import { sourcePath } from './regressCase.js';
import { runRegress } from './runRegress.js';
import type { RegressResult } from './runRegress.js';

export async function runRegressDiff(json: boolean, io: CliIo): Promise<number> {
  const session = await openOracleSession();
  const started = Date.now();
  let result: RegressResult;
  try {
    result = await runRegress(session, REGRESS_CASES);
  } finally {
    await session.close();
  }
  const elapsedMs = Date.now() - started;
  const unsupported = result.unsupported.map((entry) => ({
    name: entry.name,
    source: sourcePath(entry.source),
    reason: entry.reason,
  }));
  if (json) {
    io.stdout.write(
      `${stableStringify(
        {
          cases: result.cases,
          agree: result.agree,
          statements: result.statements,
          postgres: session.description,
          elapsedMs,
          divergences: result.divergences.map((d) => ({ ...d })),
          unsupported,
        },
        2,
      )}\n`,
    );
  } else {
    io.stdout.write(
      `pgdrill diff --regress against ${session.description}: ${result.cases} cases, ${result.agree} agree, ${result.divergences.length} diverge (${result.statements} statements, ${(elapsedMs / 1000).toFixed(1)} s)\n`,
    );
    for (const d of result.divergences) {
      io.stdout.write(
        `\nDIVERGENCE ${d.name} (${d.source}): ${d.reason}\n  statement ${d.statement ?? '(final state)'}: ${d.sql ?? ''}\n  model:      ${d.model}\n  PostgreSQL: ${d.postgres}\n`,
      );
    }
    io.stdout.write(`\n${unsupported.length} cases not expressible in the engine:\n`);
    for (const entry of unsupported) io.stdout.write(`  ${entry.name} (${entry.source}): ${entry.reason}\n`);
  }
  return result.divergences.length === 0 ? 0 : 1;
}
