/**
 * A line chart as a standalone SVG, written by hand: two series of (N, seconds), axes with round
 * ticks, a legend. Enough for docs/destroy-time.svg, with no plotting dependency.
 */

export interface Series {
  readonly label: string;
  readonly color: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

export interface Chart {
  readonly title: string;
  readonly subtitle: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
}

const WIDTH = 720;
const HEIGHT = 440;
const MARGIN = { top: 70, right: 30, bottom: 60, left: 70 };

/** 1, 2 or 5 times a power of ten, so that about `count` steps cover `max`. */
function niceStep(max: number, count: number): number {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  return step ?? 10 * power;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function format(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

export function lineChart(chart: Chart): string {
  const all = chart.series.flatMap((s) => s.points);
  const xStep = niceStep(Math.max(...all.map((p) => p.x)), 5);
  const yStep = niceStep(Math.max(...all.map((p) => p.y)), 5);
  const xMax = Math.ceil(Math.max(...all.map((p) => p.x)) / xStep) * xStep;
  const yMax = Math.ceil(Math.max(...all.map((p) => p.y)) / yStep) * yStep;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => MARGIN.left + (x / xMax) * plotW;
  const sy = (y: number) => MARGIN.top + plotH - (y / yMax) * plotH;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${escape(chart.title)}</text>`,
    `<text x="${WIDTH / 2}" y="44" text-anchor="middle" fill="#555">${escape(chart.subtitle)}</text>`,
  ];
  for (let y = 0; y <= yMax + 1e-9; y += yStep) {
    out.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${sy(y)}" y2="${sy(y)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${MARGIN.left - 8}" y="${sy(y) + 4}" text-anchor="end">${format(y)}</text>`);
  }
  for (let x = 0; x <= xMax + 1e-9; x += xStep) {
    out.push(`<line x1="${sx(x)}" x2="${sx(x)}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH + 5}" stroke="#333"/>`);
    out.push(`<text x="${sx(x)}" y="${MARGIN.top + plotH + 20}" text-anchor="middle">${format(x)}</text>`);
  }
  out.push(
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#333"/>`,
    `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" stroke="#333"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 15}" text-anchor="middle">${escape(chart.xLabel)}</text>`,
    `<text transform="translate(20 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escape(chart.yLabel)}</text>`,
  );
  chart.series.forEach((series, i) => {
    const points = series.points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
    out.push(`<polyline points="${points}" fill="none" stroke="${series.color}" stroke-width="2"/>`);
    for (const p of series.points) {
      out.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3.5" fill="${series.color}"><title>${escape(`${series.label}: N=${p.x}, ${p.y.toFixed(2)} s`)}</title></circle>`);
    }
    const ly = MARGIN.top + 12 + i * 18;
    out.push(`<line x1="${MARGIN.left + 16}" x2="${MARGIN.left + 40}" y1="${ly}" y2="${ly}" stroke="${series.color}" stroke-width="2"/>`);
    out.push(`<text x="${MARGIN.left + 46}" y="${ly + 4}">${escape(series.label)}</text>`);
  });
  out.push('</svg>', '');
  return out.join('\n');
}
