import { CATEGORY_LABELS, INCIDENT_CATEGORIES, type IncidentCategory, type Locale } from '@renkei/contract';
import { type SafeHtml, html } from '../portal/index.ts';

/** One colour per category, the same in the staff app's charts (colour-blind-safe Okabe–Ito order, then greys). */
export const CATEGORY_COLOURS: Record<IncidentCategory, string> = {
  phishing: '#0072B2',
  defacement: '#E69F00',
  malware_site: '#D55E00',
  scan: '#009E73',
  dos: '#CC79A7',
  ics: '#56B4E9',
  targeted_attack: '#F0E442',
  other: '#999999',
};

export interface StackedBar {
  /** The label under the bar (untrusted text is escaped like everything else). */
  label: string;
  values: Record<IncidentCategory, number>;
}

const WIDTH = 760;
const HEIGHT = 300;
const PAD = { left: 44, right: 12, top: 12, bottom: 64 };

/** 1, 2, 5 × 10^n: a tick step giving about five gridlines up to max. */
function niceStep(max: number): number {
  const rough = Math.max(1, max) / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((k) => k * power).find((s) => s >= rough) ?? 10 * power;
  return Math.max(1, step);
}

/**
 * Stacked bars by category as static SVG markup: no script, no style attribute (the public site's CSP
 * allows neither), colours as presentation attributes, every label escaped; each segment has a <title>
 * so a pointer shows the number without JavaScript.
 * @example stackedBarSvg([{ label: '2026-04', values }], 'en', 'Incidents per month')
 */
export function stackedBarSvg(bars: readonly StackedBar[], locale: Locale, title: string): SafeHtml {
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const totals = bars.map((bar) => INCIDENT_CATEGORIES.reduce((sum, c) => sum + bar.values[c], 0));
  const step = niceStep(Math.max(0, ...totals));
  const top = Math.max(step, Math.ceil(Math.max(0, ...totals) / step) * step);
  const y = (value: number) => PAD.top + plotHeight - (value / top) * plotHeight;
  const slot = plotWidth / Math.max(1, bars.length);
  const barWidth = Math.min(48, slot * 0.7);
  const ticks: number[] = [];
  for (let v = 0; v <= top; v += step) ticks.push(v);
  const grid = ticks.map(
    (v) =>
      html`<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#dee2e6" stroke-width="1"/><text x="${PAD.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#495057">${v}</text>`,
  );
  const columns = bars.map((bar, i) => {
    const x = PAD.left + i * slot + (slot - barWidth) / 2;
    let base = 0;
    const segments = INCIDENT_CATEGORIES.filter((c) => bar.values[c] > 0).map((c) => {
      const value = bar.values[c];
      const rect = html`<rect x="${x.toFixed(1)}" y="${y(base + value).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(y(base) - y(base + value)).toFixed(1)}" fill="${CATEGORY_COLOURS[c]}"><title>${bar.label} · ${CATEGORY_LABELS[c][locale]}: ${value}</title></rect>`;
      base += value;
      return rect;
    });
    const cx = (x + barWidth / 2).toFixed(1);
    return html`<g>${segments}<text x="${cx}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle" font-size="11" fill="#495057">${bar.label}</text></g>`;
  });
  const legend = INCIDENT_CATEGORIES.map((c, i) => {
    const lx = PAD.left + (i % 4) * 178;
    const ly = HEIGHT - 26 + Math.floor(i / 4) * 16;
    return html`<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${CATEGORY_COLOURS[c]}"/><text x="${lx + 14}" y="${ly}" font-size="11" fill="#1a1b1e">${CATEGORY_LABELS[c][locale]}</text>`;
  });
  return html`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-labelledby="chart-title"><title id="chart-title">${title}</title>${grid}${columns}${legend}</svg>`;
}
