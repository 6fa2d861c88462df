import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError } from '../../core/errors.js';
import type { AccessRequest, IdentityLink, Membership } from '../../core/people.js';
import type { HttpDeps } from '../deps.js';
import { parseInput } from '../validate.js';

const principal = z.string().regex(/^[a-z]+:\S{1,200}$/, 'a principal looks like discord:123 or slack:T1:U2');
const group = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a group name is letters, digits, _ and -');

const decisionBody = z.strictObject({ decision: z.enum(['approve', 'deny']) });
// `principal` in a body means "acting as" to the console's tokens, so the person is `who`.
const grantBody = z.strictObject({ who: principal, group: group.default('members') });
const revokeQuery = z.strictObject({ group: group.optional() });
const linkBody = z.strictObject({ identity: principal, person: principal });

const STATUS_OF: Record<string, number> = { forbidden: 403, already_decided: 409, expired: 409 };

/** An access request for the API (snake_case; the message as its text). */
export function accessRequestJson(r: AccessRequest): Record<string, unknown> {
  return {
    id: r.id,
    principal: r.principal,
    channel: r.channel,
    group: r.group,
    text: r.message.text,
    conversation: r.message.conversation,
    state: r.state,
    created_at: r.createdAt,
    expires_at: r.expiresAt,
    decided_by: r.decidedBy,
    decided_at: r.decidedAt,
    run_id: r.runId,
  };
}

function membershipJson(m: Membership): Record<string, unknown> {
  return {
    principal: m.principal,
    group: m.group,
    granted_by: m.grantedBy,
    granted_at: m.grantedAt,
    request_id: m.requestId,
  };
}

function linkJson(l: IdentityLink): Record<string, unknown> {
  return { principal: l.principal, person: l.person, linked_by: l.linkedBy, linked_at: l.linkedAt };
}

/**
 * People (DESIGN.md section 9): `GET /v1/access` (pending requests, memberships granted in the
 * journal, linked identities), deciding a request, granting and revoking a membership, linking
 * and unlinking identities. Each asks its Cedar action through the gateway.
 */
export function registerAccessRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const { accessDesk, links } = deps.gateway;

  app.get('/v1/access', async (request) => {
    const { pending, memberships, links: linked } = await accessDesk.overview(request.principal);
    return {
      requests: pending.map(accessRequestJson),
      memberships: memberships.map(membershipJson),
      links: linked.map(linkJson),
    };
  });

  app.get<{ Params: { id: string } }>('/v1/access/requests/:id', async (request) =>
    accessRequestJson(await accessDesk.get(request.principal, request.params.id)),
  );

  app.post<{ Params: { id: string } }>('/v1/access/requests/:id/decision', async (request, reply) => {
    const body = parseInput(decisionBody, request.body, 'decision');
    // Decided as a card click is: `decide_access` on the person, asked before the state is told.
    const found = await deps.gateway.deps.journal.getAccessRequest(request.params.id);
    if (!found) throw new NotFoundError('access request', request.params.id);
    const outcome = await accessDesk.decide(
      { approvalId: found.id, decision: body.decision, decider: request.principal },
      found,
    );
    if (outcome.ok) return accessRequestJson(outcome.accessRequest);
    return reply.status(STATUS_OF[outcome.code] ?? 409).send({
      error: {
        code: outcome.code,
        message: outcome.message,
        ...(outcome.state ? { state: outcome.state } : {}),
      },
    });
  });

  app.post('/v1/access/memberships', async (request, reply) => {
    const body = parseInput(grantBody, request.body, 'membership');
    const granted = await accessDesk.grant(request.principal, body.who, body.group);
    return reply.status(201).send(membershipJson(granted));
  });

  app.delete<{ Params: { principal: string } }>('/v1/access/memberships/:principal', async (request) => {
    const q = parseInput(revokeQuery, request.query, 'query');
    const removed = await accessDesk.revoke(request.principal, request.params.principal, q.group);
    return { revoked: removed.map(membershipJson) };
  });

  app.post('/v1/links', async (request, reply) => {
    const body = parseInput(linkBody, request.body, 'link');
    return reply.status(201).send(linkJson(await links.link(request.principal, body.identity, body.person)));
  });

  app.delete<{ Params: { principal: string } }>('/v1/links/:principal', async (request) =>
    linkJson(await links.unlink(request.principal, request.params.principal)),
  );
}
