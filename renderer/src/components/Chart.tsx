import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** A CSS variable name (`--accent`) or a colour. */
  color: string;
}

function cssColor(value: string, el: Element): string {
  return value.startsWith('--') ? getComputedStyle(el).getPropertyValue(value).trim() || '#888' : value;
}

/**
 * A small line chart (uPlot: fast, no dependencies) over run numbers or days. Colours come
 * from the theme's CSS variables, read when drawn; the chart follows its container's width.
 */
export function Chart({
  title,
  x,
  xLabel,
  series,
  height = 180,
  time = false,
}: {
  title: string;
  x: number[];
  xLabel: string;
  series: ChartSeries[];
  height?: number;
  /** x are Unix seconds (days on the axis) rather than counts. */
  time?: boolean;
}) {
  const step = time ? 86_400 : 1;
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const text = cssColor('--muted', el);
    const grid = cssColor('--border', el);
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const plot = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height,
        legend: { show: true, live: false },
        // A single point gets one step either side instead of an axis spanning years.
        scales: {
          x: { time, range: (_u, min, max) => (min === max ? [min - step, max + step] : [min, max]) },
        },
        cursor: { drag: { x: false, y: false } },
        axes: [
          time ? axis : { ...axis, label: xLabel, labelSize: 20, incrs: [1, 2, 5, 10, 20, 50, 100] },
          { ...axis, size: 56 },
        ],
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: cssColor(s.color, el),
            width: 2,
            points: { show: true, size: 5 },
          })),
        ],
      },
      [x, ...series.map((s) => s.values)] as uPlot.AlignedData,
      el,
    );
    const observer = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [x, xLabel, series, height, time, step]);
  return (
    <figure className="chart-figure">
      <figcaption>{title}</figcaption>
      <div ref={box} className="chart" role="img" aria-label={title} />
    </figure>
  );
}
