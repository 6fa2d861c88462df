import { useState } from 'preact/hooks';
import { type Bar, BarChart, seriesColor } from '../components/bar-chart';
import { useConsole } from '../context';
import { formatNumber } from '../format';
import { usePolling } from '../polling';
import type { UsageResponse, UsageRow } from '../types';

const WINDOWS = [
  { id: '24h', label: 'Last 24 hours', ms: 86_400_000, bucket: 'hour' },
  { id: '7d', label: 'Last 7 days', ms: 7 * 86_400_000, bucket: 'day' },
  { id: '30d', label: 'Last 30 days', ms: 30 * 86_400_000, bucket: 'day' },
  { id: '90d', label: 'Last 90 days', ms: 90 * 86_400_000, bucket: 'day' },
] as const;

function bucketLabel(ms: number, bucket: 'hour' | 'day'): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return bucket === 'hour' ? `${pad(d.getHours())}:00` : day;
}

function barsOf(rows: UsageRow[], bucket: 'hour' | 'day', value: (r: UsageRow) => number): Bar[] {
  const byBucket = new Map<number, Record<string, number>>();
  for (const r of rows) {
    const values = byBucket.get(r.bucket_start) ?? {};
    values[r.principal] = (values[r.principal] ?? 0) + value(r);
    byBucket.set(r.bucket_start, values);
  }
  return [...byBucket.entries()]
    .sort(([a], [b]) => a - b)
    .map(([start, values]) => ({ label: bucketLabel(start, bucket), values }));
}

/** Usage per principal and per day (or hour): charts and a table of `GET /v1/usage`. */
export function UsagePage() {
  const { api, me } = useConsole();
  const [windowId, setWindowId] = useState<(typeof WINDOWS)[number]['id']>('7d');
  const [principal, setPrincipal] = useState(me.read_usage_all ? '' : me.principal);
  const [applied, setApplied] = useState(principal);
  const choice = WINDOWS.find((w) => w.id === windowId) ?? WINDOWS[1];
  const { data, error } = usePolling(
    async () => {
      const q = new URLSearchParams({
        since: new Date(Date.now() - choice.ms).toISOString(),
        bucket: choice.bucket,
      });
      if (applied) q.set('principal', applied);
      return api.get<UsageResponse>(`/v1/usage?${q}`);
    },
    10_000,
    [api, windowId, applied],
  );
  const rows = data?.rows ?? [];
  const series = [...new Set(rows.map((r) => r.principal))].sort();
  const bucket = data?.bucket ?? choice.bucket;
  const sorted = [...rows].sort(
    (a, b) => b.bucket_start - a.bucket_start || a.principal.localeCompare(b.principal),
  );

  return (
    <section aria-labelledby="usage-title">
      <h1 id="usage-title">Usage</h1>
      <form
        class="filters"
        aria-label="Usage filters"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(principal.trim());
        }}
      >
        <label>
          Window
          <select value={windowId} onChange={(e) => setWindowId(e.currentTarget.value as typeof windowId)}>
            {WINDOWS.map((w) => (
              <option key={w.id} value={w.id}>
                {w.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Principal
          <input
            value={principal}
            placeholder="everyone"
            onInput={(e) => setPrincipal(e.currentTarget.value)}
            readOnly={!me.read_usage_all}
          />
        </label>
        <button type="submit">Show</button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {data && (
        <>
          <dl class="totals">
            <div>
              <dt>Tokens</dt>
              <dd data-testid="total-tokens">{formatNumber(data.totals.total_tokens)}</dd>
            </div>
            <div>
              <dt>Prompt / completion</dt>
              <dd>
                {formatNumber(data.totals.prompt_tokens)} / {formatNumber(data.totals.completion_tokens)}
              </dd>
            </div>
            <div>
              <dt>Runs</dt>
              <dd data-testid="total-runs">{formatNumber(data.totals.runs)}</dd>
            </div>
            <div>
              <dt>Tool executions</dt>
              <dd>
                {formatNumber(data.totals.tool_executions)} ({formatNumber(data.totals.tool_ms)} ms)
              </dd>
            </div>
          </dl>
          {series.length > 0 && (
            <>
              <ul class="legend" aria-label="Principals">
                {series.map((s, i) => (
                  <li key={s}>
                    <span class="swatch" style={{ background: seriesColor(i) }} aria-hidden="true" />
                    {s}
                  </li>
                ))}
              </ul>
              <div class="charts">
                <BarChart
                  title={`Tokens per ${bucket}`}
                  unit="tokens"
                  series={series}
                  bars={barsOf(rows, bucket, (r) => r.total_tokens)}
                />
                <BarChart
                  title={`Runs per ${bucket}`}
                  unit="runs"
                  series={series}
                  bars={barsOf(rows, bucket, (r) => r.runs)}
                />
              </div>
            </>
          )}
          {rows.length === 0 ? (
            <p class="empty">No usage in this window.</p>
          ) : (
            <div class="table-wrap">
              <table>
                <caption class="visually-hidden">Usage per principal and {bucket}</caption>
                <thead>
                  <tr>
                    <th scope="col">{bucket === 'hour' ? 'Hour' : 'Day'}</th>
                    <th scope="col">Principal</th>
                    <th scope="col" class="num">
                      Prompt
                    </th>
                    <th scope="col" class="num">
                      Completion
                    </th>
                    <th scope="col" class="num">
                      Total tokens
                    </th>
                    <th scope="col" class="num">
                      Runs
                    </th>
                    <th scope="col" class="num">
                      Tools
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {sorted.map((r) => (
                    <tr key={`${r.principal}-${r.bucket_start}`}>
                      <td>{new Date(r.bucket_start).toLocaleString()}</td>
                      <td>{r.principal}</td>
                      <td class="num">{formatNumber(r.prompt_tokens)}</td>
                      <td class="num">{formatNumber(r.completion_tokens)}</td>
                      <td class="num">{formatNumber(r.total_tokens)}</td>
                      <td class="num">{formatNumber(r.runs)}</td>
                      <td class="num">{formatNumber(r.tool_executions)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
