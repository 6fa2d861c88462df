import { userInfo } from 'node:os';
import { createInterface } from 'node:readline';
import type { TapeEvent } from '../core/types.js';
import type { ApiClient } from './client.js';

/**
 * `switchboard chat`: a terminal client of the running daemon. Each line is a message in one
 * console session; answers stream in; approval requests can be decided with /approve and /deny.
 */
export async function chat(
  client: ApiClient,
  options: { session?: string; principal?: string },
): Promise<void> {
  const name = userInfo().username.replace(/[^\w.@-]/g, '_') || 'terminal';
  const sessionKey = options.session ?? `console:terminal:${name}`;
  const rl = createInterface({ input: process.stdin, terminal: false });
  process.stdout.write(
    `Switchboard chat — session ${sessionKey}. /approve <id>, /deny <id>, /cancel, /new, /quit\n`,
  );
  let lastRun: string | undefined;
  // The line iterator buffers lines typed (or piped) while an answer is still streaming.
  const lines = rl[Symbol.asyncIterator]();
  for (;;) {
    process.stdout.write('you> ');
    const next = await lines.next();
    if (next.done) break;
    const line = String(next.value).trim();
    if (line === '') continue;
    if (line === '/quit' || line === '/exit') break;
    try {
      const [command, arg] = line.split(/\s+/, 2);
      if (command === '/approve' || command === '/deny') {
        if (!arg) throw new Error(`usage: ${command} <approval id>`);
        const decided = await client.request<{ state: string }>('POST', `/v1/approvals/${arg}/decision`, {
          decision: command === '/approve' ? 'approve' : 'deny',
          ...(options.principal ? { principal: options.principal } : {}),
        });
        process.stdout.write(`approval ${arg}: ${decided.state}\n`);
        if (lastRun) await follow(client, lastRun);
        continue;
      }
      if (command === '/new') {
        process.stdout.write(`${await startAfresh(client, sessionKey)}\n`);
        continue;
      }
      if (command === '/cancel') {
        if (!lastRun) throw new Error('nothing to cancel');
        const run = await client.request<{ state: string }>('POST', `/v1/runs/${lastRun}/cancel`);
        process.stdout.write(`run ${lastRun}: ${run.state}\n`);
        continue;
      }
      const accepted = await client.request<{ run_id: string }>('POST', '/v1/messages', {
        session_key: sessionKey,
        text: line,
        ...(options.principal ? { principal: options.principal } : {}),
      });
      lastRun = accepted.run_id;
      await follow(client, accepted.run_id);
    } catch (error) {
      process.stdout.write(`error: ${(error as Error).message}\n`);
    }
  }
  rl.close();
}

/** Where each run's stream stopped, so following it again after a decision shows only what is new. */
const seen = new Map<string, string>();

async function follow(client: ApiClient, runId: string): Promise<void> {
  let streamed = false;
  const lastEventId = seen.get(runId);
  for await (const message of client.events(`/v1/runs/${runId}/events`, lastEventId ? { lastEventId } : {})) {
    if (message.id !== undefined) seen.set(runId, message.id);
    if (message.event === 'delta') {
      if (!streamed) process.stdout.write('agent> ');
      streamed = true;
      process.stdout.write((JSON.parse(message.data) as { text: string }).text);
    } else if (message.event === 'tape') {
      const event = JSON.parse(message.data) as TapeEvent;
      const body = event.body as Record<string, unknown>;
      if (event.kind === 'reply') {
        process.stdout.write(streamed ? '\n' : `agent> ${String(body.text)}\n`);
        streamed = false;
      } else if (event.kind === 'approval_request') {
        process.stdout.write(
          `\n[approval needed] ${String(body.tool)} — /approve ${String(body.approvalId)} or /deny ${String(body.approvalId)}\n`,
        );
        return;
      } else if (event.kind === 'tool_call') {
        process.stdout.write(`[running ${String(body.tool)}]\n`);
      }
    } else if (message.event === 'end') {
      const end = JSON.parse(message.data) as { state: string; reason: string | null };
      if (end.state !== 'succeeded')
        process.stdout.write(`[run ${end.state}${end.reason ? `: ${end.reason}` : ''}]\n`);
      return;
    }
  }
}

/** `/new`: resets the key's open session, so the next line starts a fresh one. */
async function startAfresh(client: ApiClient, sessionKey: string): Promise<string> {
  const { sessions } = await client.request<{ sessions: { id: string; closed_at: number | null }[] }>(
    'GET',
    `/v1/sessions?key=${encodeURIComponent(sessionKey)}`,
  );
  const open = sessions.find((s) => s.closed_at === null);
  if (!open) return 'nothing to forget yet: your next line starts a session';
  await client.request('POST', `/v1/sessions/${open.id}/reset`);
  return `started afresh; the earlier session (${open.id}) stays readable`;
}
