import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from './api';

/**
 * Loads data now and again every `everyMs` (0: once), while the page is shown; keeps the last good
 * value when a refresh fails and reports the failure.
 */
export function usePolling<T>(
  load: () => Promise<T>,
  everyMs: number,
  deps: readonly unknown[],
): { data: T | null; error: string | null; updatedAt: number | null; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const [tick, setTick] = useState(0);
  const loader = useRef(load);
  loader.current = load;
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const value = await loader.current();
        if (stopped) return;
        setData(value);
        setError(null);
        setUpdatedAt(Date.now());
      } catch (e) {
        if (!stopped) setError(describeError(e));
      }
      if (!stopped && everyMs > 0) timer = setTimeout(run, everyMs);
    };
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [everyMs, tick, ...deps]);
  return { data, error, updatedAt, reload: () => setTick((t) => t + 1) };
}
