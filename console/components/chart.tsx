/**
 * A budget's last hour as a small inline SVG: remaining units per sample against the limit. No chart
 * library: one polyline, and a dot for the latest sample.
 */
export function BudgetChart(props: {
  name: string;
  limit: number;
  samples: { at: string; remaining: number }[];
}) {
  const W = 320;
  const H = 72;
  // Drawn 3 px inside the frame: a dot at an edge stays whole.
  const PAD = 3;
  const end = Date.now();
  const start = end - 3_600_000;
  const x = (at: string) =>
    PAD + ((Math.max(start, Math.min(end, Date.parse(at))) - start) / (end - start)) * (W - 2 * PAD);
  const y = (remaining: number) =>
    H - PAD - (props.limit > 0 ? (remaining / props.limit) * (H - 2 * PAD) : 0);
  const points = props.samples.map((s) => `${x(s.at).toFixed(1)},${y(s.remaining).toFixed(1)}`).join(' ');
  const lowest = props.samples.reduce((m, s) => Math.min(m, s.remaining), props.limit);
  const last = props.samples[props.samples.length - 1];
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width={W}
        height={H}
        role="img"
        aria-label={`${props.name}: ${props.samples.length} samples in the last hour, lowest ${lowest} of ${props.limit}`}
      >
        <rect x="0" y="0" width={W} height={H} class="chart-bg" />
        {props.samples.length > 0 && <polyline points={points} class="chart-line" />}
        {/* The latest sample as a dot: visible even when every sample sits at the same instant. */}
        {last && <circle cx={x(last.at)} cy={y(last.remaining)} r="3" class="chart-dot" />}
      </svg>
      <figcaption>
        {props.name}:{' '}
        {props.samples.length === 0
          ? 'no samples yet'
          : `lowest ${lowest.toLocaleString()} of ${props.limit.toLocaleString()}`}{' '}
        · last hour
      </figcaption>
    </figure>
  );
}
