/**
 * Progress on long work, on stderr so stdout stays clean for data and JSON. On a terminal a
 * line is redrawn in place; elsewhere (CI, pipes) each finished task prints one line.
 */
export class Progress {
  private readonly tty = Boolean(process.stderr.isTTY);
  private started = performance.now();
  private label = '';

  constructor(private readonly quiet = false) {}

  /** Starts a task. */
  start(label: string): void {
    this.label = label;
    this.started = performance.now();
    if (!this.quiet && this.tty) process.stderr.write(`\r\x1b[2K… ${label}`);
  }

  /** Finishes the current task, with an optional detail such as a row count. */
  done(detail = ''): void {
    if (this.quiet) return;
    const ms = performance.now() - this.started;
    const time = ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`;
    const line = `✓ ${this.label}${detail ? ` — ${detail}` : ''} (${time})`;
    process.stderr.write(this.tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
  }

  info(message: string): void {
    if (!this.quiet) process.stderr.write(`${message}\n`);
  }
}
