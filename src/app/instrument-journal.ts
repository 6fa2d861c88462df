import type { JournalStore, OutboxClaim } from '../journal/store.js';

/** What {@link instrumentJournal} adds around a journal. */
export interface JournalInstruments {
  /** Told how long each step commit (a run's tape append) took, in milliseconds. */
  onCommit?: (ms: number) => void;
  /**
   * With replicas: outbox claims cover only the channels this process has connected, so a reply
   * for Discord waits for the replica holding the Discord connection instead of failing on others.
   */
  heldChannels?: () => Iterable<string>;
}

/**
 * Wraps a journal so step commits are timed and outbox claims are limited to held channels,
 * without changing the journal itself: every other member is the journal's own, bound to it (the
 * stores keep private state, so their methods must run on the original object). The daemon builds
 * the core on the returned store; code holding the unwrapped journal sees no difference.
 */
export function instrumentJournal(journal: JournalStore, instruments: JournalInstruments): JournalStore {
  const { onCommit, heldChannels } = instruments;
  const overrides: Partial<JournalStore> = {};
  if (onCommit) {
    overrides.commitStep = async (runId, step) => {
      const started = performance.now();
      try {
        return await journal.commitStep(runId, step);
      } finally {
        onCommit(performance.now() - started);
      }
    };
  }
  if (heldChannels) {
    overrides.claimOutbox = (claim: OutboxClaim) =>
      journal.claimOutbox({ ...claim, channels: [...heldChannels()] });
  }
  return decorateJournal(journal, overrides);
}

/**
 * A journal whose `overrides` replace some members; every other member is the journal's own,
 * bound to it (the stores keep private state, so their methods must run on the original object).
 */
export function decorateJournal(journal: JournalStore, overrides: Partial<JournalStore>): JournalStore {
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(journal, {
    get(target, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof JournalStore];
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      let fn = bound.get(property);
      if (fn === undefined) {
        fn = (value as (...args: unknown[]) => unknown).bind(target);
        bound.set(property, fn);
      }
      return fn;
    },
  });
}
