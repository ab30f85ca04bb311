/** How far a long import has got: bytes read of the total, items accepted (`ranges`) and rejected. */
export interface ProgressFigures {
  bytesRead: number;
  totalBytes: number;
  /** Items accepted so far; the bar names them with its `unit`. */
  ranges: number;
  rejected: number;
}

export interface ProgressBar {
  update(progress: ProgressFigures): void;
  done(): void;
}

/** Where the bar draws: a terminal (`isTTY`) or a log. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * A progress bar on stderr: redrawn in place on a terminal, a line per quarter otherwise (logs, CI).
 * `unit` names what `ranges` counts.
 * @example const bar = progressBar(process.stderr, 'events'); bar.update({ bytesRead: 5, totalBytes: 10, ranges: 3, rejected: 0 }); bar.done();
 */
export function progressBar(stream: ProgressStream = process.stderr, unit = 'ranges'): ProgressBar {
  let lastQuarter = -1;
  let lastDraw = 0;
  return {
    update(p) {
      const fraction = p.totalBytes > 0 ? Math.min(1, p.bytesRead / p.totalBytes) : 1;
      const text = `${(fraction * 100).toFixed(0).padStart(3)}% ${(p.bytesRead / 1048576).toFixed(1)} / ${(p.totalBytes / 1048576).toFixed(1)} MiB, ${p.ranges.toLocaleString('en')} ${unit}, ${p.rejected} rejected`;
      if (stream.isTTY) {
        if (Date.now() - lastDraw < 100 && fraction < 1) return;
        lastDraw = Date.now();
        const width = 30;
        const filled = Math.round(fraction * width);
        stream.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text}`);
      } else {
        const quarter = Math.floor(fraction * 4);
        if (quarter > lastQuarter) {
          lastQuarter = quarter;
          stream.write(`${text}\n`);
        }
      }
    },
    done() {
      if (stream.isTTY) stream.write('\n');
    },
  };
}
