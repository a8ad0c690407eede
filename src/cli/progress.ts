/**
 * A one-line progress bar on standard error, only when it is a terminal (never in CI logs or
 * when output is piped), redrawn at most every 100 ms.
 */
export class ProgressBar {
  private lastDraw = 0;
  private readonly enabled: boolean;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly label: string,
    private readonly total: number,
  ) {
    this.enabled = stream.isTTY === true;
  }

  update(done: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = 24;
    const fraction = Number.isFinite(this.total) ? Math.min(1, done / this.total) : 0;
    const filled = Math.round(fraction * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const count = Number.isFinite(this.total) ? `${done}/${this.total}` : `${done}`;
    this.stream.write(`\r${this.label} ${bar} ${count} runs`);
  }

  clear(): void {
    if (this.enabled) this.stream.write('\r\x1b[2K');
  }
}
