import { formatNumber } from '../format';

/** One stacked bar: a label (a day or an hour) and a value per series. */
export interface Bar {
  label: string;
  values: Record<string, number>;
}

const COLORS = ['#3867d6', '#20bf6b', '#f7b731', '#eb3b5a', '#8854d0', '#0fb9b1', '#fa8231', '#4b6584'];

/** The colour of the `index`th series. */
export function seriesColor(index: number): string {
  return COLORS[index % COLORS.length] ?? '#888';
}

/**
 * A stacked bar chart as inline SVG, one bar per bucket and one colour per series; it scales to
 * its container. The same numbers are in the table beside it for screen readers.
 */
export function BarChart(props: { title: string; bars: Bar[]; series: string[]; unit: string }) {
  const { bars, series } = props;
  const width = 640;
  const height = 220;
  const left = 56;
  const bottom = 28;
  const top = 10;
  const plotW = width - left - 10;
  const plotH = height - top - bottom;
  const max = Math.max(1, ...bars.map((b) => series.reduce((sum, s) => sum + (b.values[s] ?? 0), 0)));
  const step = bars.length > 0 ? plotW / bars.length : plotW;
  const barW = Math.max(2, Math.min(48, step * 0.7));
  const ticks = [0, 0.5, 1].map((f) => Math.round(max * f * 10) / 10);
  const total = bars.reduce((t, b) => t + series.reduce((s, k) => s + (b.values[k] ?? 0), 0), 0);
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`${props.title}: ${formatNumber(total)} ${props.unit} over ${bars.length} periods`}
      >
        {ticks.map((t) => {
          const y = top + plotH - (t / max) * plotH;
          return (
            <g key={t} class="tick">
              <line x1={left} x2={width - 10} y1={y} y2={y} />
              <text x={left - 6} y={y + 4} text-anchor="end">
                {formatNumber(t)}
              </text>
            </g>
          );
        })}
        {bars.map((bar, i) => {
          let y = top + plotH;
          const x = left + i * step + (step - barW) / 2;
          return (
            <g key={bar.label}>
              {series.map((s, si) => {
                const v = bar.values[s] ?? 0;
                if (v <= 0) return null;
                const h = (v / max) * plotH;
                y -= h;
                return (
                  <rect key={s} x={x} y={y} width={barW} height={h} fill={seriesColor(si)}>
                    <title>{`${s}, ${bar.label}: ${formatNumber(v)} ${props.unit}`}</title>
                  </rect>
                );
              })}
              {(bars.length <= 12 || i % Math.ceil(bars.length / 12) === 0) && (
                <text class="axis" x={x + barW / 2} y={height - 8} text-anchor="middle">
                  {bar.label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>{props.title}</figcaption>
    </figure>
  );
}
