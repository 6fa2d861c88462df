import { useState } from 'preact/hooks';
import { describeError } from '../api';
import { useConsole } from '../context';
import type { Run } from '../types';

/** Cancels a run that has not finished; a refusal (not permitted, already finished) is shown. */
export function CancelButton(props: { run: Run; onDone: () => void }) {
  const { api } = useConsole();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const cancel = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.post(`/v1/runs/${encodeURIComponent(props.run.id)}/cancel`);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
      props.onDone();
    }
  };
  return (
    <span class="cancel">
      <button type="button" class="danger" onClick={cancel} disabled={busy} aria-label="Cancel this run">
        {busy ? 'Cancelling…' : 'Cancel'}
      </button>
      {error && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
