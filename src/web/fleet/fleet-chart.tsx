// The stacked timeline of clusters per version, drawn by uPlot (bundled into dist/web: no CDN, and it draws on a
// canvas and styles through the DOM, which the console's same-origin-only Content-Security-Policy allows). Chosen over
// Chart.js for size (~50 KB minified against ~200 KB) with active upkeep; uPlot has no stacking mode, so the series
// are drawn cumulatively, the tallest first, each filled down to the axis over the previous one.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { FleetHistory } from '../api-types.js';

const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];

export function StackedTimeline({ history }: { history: FleetHistory }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const x = history.days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
    const cumulative: number[][] = [];
    let running = history.days.map(() => 0);
    for (const s of history.series) {
      running = running.map((n, i) => n + s.clusters[i]!);
      cumulative.push(running);
    }
    // Top of the stack first, so that each lower band is painted over the one above it.
    const order = history.series.map((_, i) => i).reverse();
    const plot = new uPlot({
      width: Math.max(480, Math.min(1000, box.current.clientWidth || 800)),
      height: 320,
      scales: { x: { time: true } },
      axes: [{}, { label: 'clusters' }],
      series: [
        { label: 'day' },
        ...order.map((i) => ({
          label: history.series[i]!.version,
          stroke: COLOURS[i % COLOURS.length],
          fill: `${COLOURS[i % COLOURS.length]}cc`,
          // The legend shows the version's own count, not the height of its band.
          value: (_u: uPlot, _v: number | null, _si: number, idx: number | null) => (idx === null ? '–' : String(history.series[i]!.clusters[idx])),
        })),
      ],
    }, [x, ...order.map((i) => cumulative[i]!)], box.current);
    return () => plot.destroy();
  }, [history]);
  return <div class="fleet-chart" ref={box} role="img" aria-label={`Clusters per version over the last ${history.days.length} days, stacked`} />;
}
