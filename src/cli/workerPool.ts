import { Piscina } from 'piscina';
import type { ChunkResult } from '../harness/campaign.js';
import type { ChunkTask } from './campaignRunner.js';

/**
 * Worker threads for campaigns, on piscina (a maintained pool; no home-made one). Each worker
 * loads the domain's chunk module once and runs chunks; plans and results are plain data.
 */
export interface WorkerPool {
  readonly size: number;
  run(task: ChunkTask): Promise<ChunkResult>;
  close(): Promise<void>;
}

export function createWorkerPool(workerModule: URL, size: number): WorkerPool {
  const piscina = new Piscina<ChunkTask, ChunkResult>({
    filename: workerModule.href,
    minThreads: size,
    maxThreads: size,
  });
  return {
    size,
    run: (task) => piscina.run(task),
    close: () => piscina.destroy(),
  };
}
