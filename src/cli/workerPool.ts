import { Piscina } from 'piscina';
import type { ChunkResult } from '../harness/campaign.js';
import type { ChunkTask } from './campaignRunner.js';

/**
 * Worker threads for campaigns, on piscina (a maintained pool; no home-made one). Each worker
 * loads the domain's chunk module once and runs chunks; plans and results are plain data.
 *
 * Every worker is a pool of one thread, so the caller chooses which worker runs a chunk: the
 * campaign sends each plan's chunks to the same worker while it can (`runCampaignOnPool`), because
 * a thread that runs fewer plans meets fewer shapes of rows and steps, and its optimising compiler
 * redoes less work (docs/performance.md, "The optimising compiler's share of a campaign").
 */
export interface WorkerPool {
  readonly size: number;
  /** Runs `task` on worker `worker` (0 ≤ worker < size), after the chunks already sent to it. */
  run(task: ChunkTask, worker: number): Promise<ChunkResult>;
  close(): Promise<void>;
}

export function createWorkerPool(workerModule: URL, size: number): WorkerPool {
  if (!Number.isInteger(size) || size < 1) throw new Error(`a worker pool needs a positive size, not ${size}`);
  const workers = Array.from(
    { length: size },
    () => new Piscina<ChunkTask, ChunkResult>({ filename: workerModule.href, minThreads: 1, maxThreads: 1 }),
  );
  return {
    size,
    run: (task, worker) => {
      const piscina = workers[worker];
      if (piscina === undefined) throw new Error(`no worker ${worker} in a pool of ${size}`);
      return piscina.run(task);
    },
    close: async () => {
      await Promise.all(workers.map((piscina) => piscina.destroy()));
    },
  };
}
