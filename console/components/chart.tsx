/**
 * A budget's last hour as a small inline SVG: remaining units per sample against the limit. No chart
 * library: one polyline and two axis labels are all it takes.
 */
export function BudgetChart(props: {
  name: string;
  limit: number;
  samples: { at: string; remaining: number }[];
}) {
  const W = 320;
  const H = 72;
  const end = Date.now();
  const start = end - 3_600_000;
  const x = (at: string) => ((Math.max(start, Date.parse(at)) - start) / (end - start)) * W;
  const y = (remaining: number) => H - (props.limit > 0 ? (remaining / props.limit) * H : 0);
  const points = props.samples.map((s) => `${x(s.at).toFixed(1)},${y(s.remaining).toFixed(1)}`).join(' ');
  const lowest = props.samples.reduce((m, s) => Math.min(m, s.remaining), props.limit);
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
      </svg>
      <figcaption>
        {props.name}: {props.samples.length === 0 ? 'no samples yet' : `lowest ${lowest} of ${props.limit}`} ·
        last hour
      </figcaption>
    </figure>
  );
}
