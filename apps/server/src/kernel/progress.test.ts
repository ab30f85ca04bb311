import { describe, expect, it } from 'vitest';
import { type ProgressStream, progressBar } from './progress.ts';

function sink(isTTY: boolean): { stream: ProgressStream; text: () => string } {
  const chunks: string[] = [];
  return { stream: { isTTY, write: (text: string) => chunks.push(text) }, text: () => chunks.join('') };
}

describe('progressBar', () => {
  it('Should write one line per quarter when not on a terminal, naming the unit', () => {
    const out = sink(false);
    const bar = progressBar(out.stream, 'events');
    for (let read = 0; read <= 100; read += 10) bar.update({ bytesRead: read, totalBytes: 100, ranges: read * 2, rejected: 1 });
    bar.done();
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines.at(-1)).toMatch(/^100% .* 200 events, 1 rejected$/);
  });

  it('Should redraw in place on a terminal', () => {
    const out = sink(true);
    const bar = progressBar(out.stream);
    bar.update({ bytesRead: 100, totalBytes: 100, ranges: 7, rejected: 0 });
    bar.done();
    expect(out.text()).toMatch(/^\r\[#{30}\] 100% .* 7 ranges, 0 rejected\n$/);
  });
});
