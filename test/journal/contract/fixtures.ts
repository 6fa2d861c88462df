import { afterEach, beforeEach } from 'vitest';
import type { Approval, InboundMessage, Run, Session, TapeEvent } from '../../../src/core/types.js';
import type { JournalStore } from '../../../src/journal/store.js';

/** Opens a fresh, empty store for one test. */
export type OpenStore = () => Promise<JournalStore>;

/** A fixed clock: Monday 2025-03-03 10:00:00 UTC. Tests add offsets to it. */
export const T0 = Date.UTC(2025, 2, 3, 10, 0, 0);
/** One minute, in ms. */
export const MINUTE = 60_000;
/** One hour, in ms. */
export const HOUR = 3_600_000;
/** One day, in ms. */
export const DAY = 86_400_000;

/**
 * Registers `beforeEach`/`afterEach` hooks that open a fresh store per test and close it after;
 * returns a getter for the current one.
 */
export function useStore(open: OpenStore): () => JournalStore {
  let store: JournalStore | undefined;
  beforeEach(async () => {
    store = await open();
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });
  return () => {
    if (!store) throw new Error('the store is only available inside a test');
    return store;
  };
}

let eventCounter = 0;

/** A Discord message in guild g1, channel c1, from user u1, with a fresh event id. */
export function message(over: Partial<InboundMessage> = {}): InboundMessage {
  eventCounter += 1;
  return {
    channel: 'discord',
    eventId: `evt-${eventCounter}`,
    device: 'discord:app1',
    principal: 'discord:u1',
    sessionKey: 'discord:g1:c1',
    conversation: { platform: 'discord', workspace: 'g1', channel: 'c1' },
    text: 'hello',
    ...over,
  };
}

/** Accepts a message that must not be a duplicate. */
export async function accept(
  store: JournalStore,
  over: Partial<InboundMessage> = {},
  now = T0,
): Promise<{ session: Session; run: Run; sessionCreated: boolean }> {
  const result = await store.acceptInbound({ message: message(over), createSession: true, now });
  if (result.duplicate) throw new Error('unexpected duplicate');
  return result;
}

/** Accepts a message and moves its run to `running` leased to `owner` (without claiming others). */
export async function startRun(
  store: JournalStore,
  over: Partial<InboundMessage> = {},
  now = T0,
  owner = 'worker-1',
): Promise<Run> {
  const { run } = await accept(store, over, now);
  await store.commitStep(run.id, { now, expectState: 'accepted', transition: { to: 'running' } });
  const leased = await store.leaseRun(run.id, { owner, leaseMs: MINUTE, now });
  if (!leased) throw new Error('could not lease a fresh run');
  return leased;
}

/** Writes a tool call that needs a human: the approval, its tape events and its card. */
export async function askApproval(
  store: JournalStore,
  run: Run,
  options: { id: string; now: number; expiresAt: number; tool?: string },
): Promise<Approval> {
  const { id, now, expiresAt, tool = 'shell_exec' } = options;
  await store.commitStep(run.id, {
    now,
    expectState: 'running',
    tape: [
      { kind: 'tool_call', body: { id: `call-${id}`, tool, args: { command: 'ls' } } },
      { kind: 'approval_request', body: { approvalId: id } },
    ],
    approvals: [
      {
        id,
        toolCallId: `call-${id}`,
        tool,
        args: { command: 'ls' },
        argsHash: `hash-${id}`,
        requester: run.principal,
        conversation: run.conversation,
        expiresAt,
      },
    ],
    outbox: [
      {
        channel: run.channel,
        conversation: run.conversation,
        kind: 'approval_card',
        payload: { approvalId: id, allowSessionScope: true },
      },
    ],
  });
  const approval = await store.getApproval(id);
  if (!approval) throw new Error(`approval ${id} was not created`);
  return approval;
}

/** Everything readable in the store, to assert that a refused call wrote nothing. */
export async function snapshot(store: JournalStore): Promise<Record<string, unknown>> {
  const runs = await store.listRuns({ limit: 1000 });
  const tapes: Record<string, TapeEvent[]> = {};
  for (const run of runs) tapes[run.id] = await store.readTape(run.id);
  return {
    sessions: await store.listSessions({ limit: 1000 }),
    runs,
    tapes,
    approvals: await store.listApprovals({ limit: 1000 }),
    outbox: await store.listOutbox({ limit: 1000 }),
    events: await store.recentEvents(1000),
    usage: await store.usageSummary({ bucket: 'day' }),
  };
}

/** Awaits a promise that must reject, and returns the error for assertions. */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error as Error & Record<string, unknown>;
    throw new Error(`rejected with a non-error: ${String(error)}`);
  }
  throw new Error('expected a rejection, but the call succeeded');
}

/** The types of the journal events, oldest first. */
export async function eventTypes(store: JournalStore): Promise<string[]> {
  return (await store.recentEvents(1000)).map((e) => e.type).reverse();
}
