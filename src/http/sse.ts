import type { FastifyReply, FastifyRequest } from 'fastify';
import { isTerminal } from '../core/run-state.js';
import type { FollowedRun } from '../gateway/reads.js';
import type { HttpDeps } from './deps.js';

/**
 * Streams a run's tape as Server-Sent Events: every event after `afterSeq` (`event: tape`,
 * `id: <seq>`), live text deltas (`event: delta`), and `event: end` once the run is terminal.
 * The journal is re-read on every change notice, so nothing is missed between reads.
 */
export function streamRunEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: Pick<HttpDeps, 'feed' | 'logger'>,
  followed: FollowedRun,
  afterSeq: number,
): void {
  const runId = followed.run.id;
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let lastSeq = afterSeq;
  let closed = false;
  let pumping = false;
  let again = false;

  const pump = async (): Promise<void> => {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        const { run, events } = await followed.read(lastSeq);
        if (closed) return;
        // One write per pass: each write is a system call and a wake-up of the reader.
        let out = '';
        for (const event of events) {
          out += `event: tape\nid: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`;
          lastSeq = event.seq;
        }
        if (run && isTerminal(run.state)) {
          out += `event: end\ndata: ${JSON.stringify({ state: run.state, reason: run.reason })}\n\n`;
          close(out);
          return;
        }
        if (out !== '') res.write(out);
      } while (again && !closed);
    } catch (error) {
      deps.logger.warn({ err: error, runId }, 'event stream failed');
      close();
    } finally {
      pumping = false;
    }
  };

  const unsubscribe = deps.feed.subscribe(runId, (signal) => {
    if (closed) return;
    if (signal.type === 'delta')
      res.write(`event: delta\ndata: ${JSON.stringify({ text: signal.text })}\n\n`);
    else void pump();
  });
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  heartbeat.unref();
  // With replicas, the run may be executing on another one whose steps this feed never hears of:
  // re-read the journal every second (a shared journal is the one with `watch`).
  const poll = followed.shared ? setInterval(() => void pump(), 1000) : undefined;
  poll?.unref();
  const close = (last?: string) => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    clearInterval(poll);
    unsubscribe();
    if (last) res.end(last);
    else res.end();
  };
  request.raw.on('close', () => close());
  void pump();
}
