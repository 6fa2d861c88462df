/** The shapes of the HTTP API (DESIGN.md section 4) as the console reads them. */

/** The states of a run. */
export type RunState = 'accepted' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** States after which a run never changes. */
export const TERMINAL: readonly RunState[] = ['succeeded', 'failed', 'cancelled'];

/** `GET /v1/console/me`. */
export interface Me {
  principal: string;
  admin: boolean;
  read_admin: boolean;
  /** May read the recent journal events (`read_events`). */
  read_events: boolean;
  /** May read everyone's usage (`read_usage` of everyone). */
  read_usage_all: boolean;
  approve: boolean;
  /** May list the grants "Always allow" made (`read_grants`). */
  read_grants: boolean;
  /** May see and decide access requests (`read_access`). */
  read_access: boolean;
}

/** A run (`GET /v1/runs/:id`). */
export interface Run {
  id: string;
  session_id: string;
  state: RunState;
  principal: string;
  channel: string;
  text: string;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
  reason: string | null;
  /** The agent that answers (null: from before agents were routed, the default one). */
  agent: string | null;
}

/** A session (`GET /v1/sessions`). */
export interface Session {
  id: string;
  key: string;
  channel: string;
  device: string;
  created_at: number;
  closed_at: number | null;
}

/** A session with its runs (`GET /v1/sessions/:id`). */
export interface SessionWithRuns extends Session {
  runs: Run[];
}

/** An approval (`GET /v1/approvals`). */
export interface Approval {
  id: string;
  run_id: string;
  session_id: string;
  state: 'pending' | 'approved' | 'denied' | 'expired' | 'cancelled';
  tool: string;
  args: unknown;
  requester: string;
  created_at: number;
  expires_at: number;
  decided_by: string | null;
  decided_at: number | null;
  scope: string | null;
  reason: string | null;
  /** The grant "Always allow" made, when decided that way. */
  grant_id: string | null;
}

/** A grant "Always allow" made (`GET /v1/grants`). */
export interface Grant {
  id: string;
  tool: string;
  pattern: { kind: 'exact'; args_hash: string } | { kind: 'program'; program: string };
  scope:
    | { kind: 'requester'; principal: string }
    | { kind: 'conversation'; conversation: { platform: string; channel: string } }
    | { kind: 'everyone' };
  created_by: string;
  created_at: number;
  expires_at: number | null;
  approval_id: string | null;
  revoked_at: number | null;
  revoked_by: string | null;
}

/** One tape event (`GET /v1/runs/:id/tape`). */
export interface TapeEvent {
  runId: string;
  seq: number;
  kind: string;
  at: number;
  body: unknown;
}

/** One journal event (`GET /v1/events/recent`). */
export interface JournalEvent {
  id: string;
  at: number;
  type: string;
  data: Record<string, unknown>;
}

/** One usage row (`GET /v1/usage`). */
export interface UsageRow {
  principal: string;
  bucket_start: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  runs: number;
  tool_executions: number;
  tool_ms: number;
}

/** `GET /v1/usage`. */
export interface UsageResponse {
  bucket: 'hour' | 'day';
  rows: UsageRow[];
  totals: Omit<UsageRow, 'principal' | 'bucket_start'>;
}

/** A stranger's access request (`GET /v1/access`). */
export interface AccessRequest {
  id: string;
  principal: string;
  channel: string;
  group: string;
  text: string;
  state: 'pending' | 'approved' | 'denied' | 'expired';
  created_at: number;
  expires_at: number;
  decided_by: string | null;
}

/** `GET /v1/access`: who waits, who was let in, which identities are one person. */
export interface AccessOverview {
  requests: AccessRequest[];
  memberships: { principal: string; group: string; granted_by: string; granted_at: number }[];
  links: { principal: string; person: string }[];
}
