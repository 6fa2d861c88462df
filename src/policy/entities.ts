import type { CedarValueJson, Context, EntityJson, TypeAndId } from '@cedar-policy/cedar-wasm/nodejs';
import type { ConversationRef, Principal } from '../core/types.js';
import type { AuthzQuery } from './engine.js';
import type { GroupDirectory } from './groups.js';
import { type ToolHints, type ToolTraits, toolEntityAttrs, toolTraits } from './tool-traits.js';

/** The Cedar namespace of `config/schema.cedarschema`. */
export const CEDAR_NAMESPACE = 'Switchboard';

/** The Cedar entity types Switchboard builds requests from. */
export type CedarEntityType =
  | 'User'
  | 'Agent'
  | 'Group'
  | 'Tool'
  | 'Conversation'
  | 'Run'
  | 'Approval'
  | 'Session'
  | 'Everyone';

/** A Cedar entity reference in `Switchboard::<type>::"<id>"` form. */
export function cedarUid(type: CedarEntityType | 'Action', id: string): TypeAndId {
  return { type: `${CEDAR_NAMESPACE}::${type}`, id };
}

/** The id of a `Conversation` entity: platform, workspace, channel and thread joined with `:`. */
export function conversationId(ref: ConversationRef): string {
  return [ref.platform, ref.workspace, ref.channel, ref.thread]
    .filter((part) => part !== undefined)
    .join(':');
}

/** The entities and context of one request, or why they could not be built. */
export interface RequestSlice {
  resource: TypeAndId;
  entities: EntityJson[];
  context: Context;
  errors: string[];
}

const USER_CACHE_LIMIT = 10_000;

function entityRef(type: CedarEntityType, id: string): CedarValueJson {
  return { __entity: cedarUid(type, id) };
}

function stringAttr(attrs: Record<string, unknown> | undefined, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = attrs?.[key];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

/** The hints among a `Tool` resource's attributes (Cedar's snake_case names). */
function hintsOf(attrs: Record<string, unknown> | undefined): Partial<ToolHints> {
  const hints: Partial<ToolHints> = {};
  if (typeof attrs?.destructive === 'boolean') hints.destructive = attrs.destructive;
  if (typeof attrs?.idempotent === 'boolean') hints.idempotent = attrs.idempotent;
  if (typeof attrs?.open_world === 'boolean') hints.openWorld = attrs.open_world;
  return hints;
}

/**
 * Builds the small entity slice each request needs: the principal as a `User` whose parents are its
 * groups, and the resource with the attributes the schema declares. User entities are cached per
 * principal (their groups only change on reload, which builds a new builder).
 */
export class EntityBuilder {
  readonly #groups: GroupDirectory;
  readonly #users = new Map<string, EntityJson>();

  constructor(groups: GroupDirectory) {
    this.#groups = groups;
  }

  /** The `User` entity of `principal`, its groups as parents. */
  user(principal: Principal): EntityJson {
    const cached = this.#users.get(principal);
    if (cached !== undefined) return cached;
    const entity: EntityJson = {
      uid: cedarUid('User', principal),
      attrs: {},
      parents: this.#groups.groupsOf(principal).map((group) => cedarUid('Group', group)),
    };
    if (this.#users.size >= USER_CACHE_LIMIT) this.#users.clear();
    this.#users.set(principal, entity);
    return entity;
  }

  /** The `Tool` entity of a tool with `traits`. */
  tool(name: string, traits: ToolTraits): EntityJson {
    return { uid: cedarUid('Tool', name), attrs: toolEntityAttrs(traits), parents: [] };
  }

  /** The resource, entities and context of an `authorize` query. */
  authzSlice(query: AuthzQuery): RequestSlice {
    const errors: string[] = [];
    const principal = this.user(query.principal);
    const entities: EntityJson[] = [principal];
    const { type, id, attrs } = query.resource;
    const resource = cedarUid(type, id);
    const users = new Set<Principal>([query.principal]);
    const addUser = (other: Principal): void => {
      if (users.has(other)) return;
      users.add(other);
      entities.push(this.user(other));
    };
    switch (type) {
      case 'User':
        addUser(id);
        break;
      case 'Tool': {
        const readOnly = attrs?.read_only ?? attrs?.readOnly;
        if (typeof readOnly !== 'boolean') errors.push(`Tool ${id} needs attrs.read_only (a boolean)`);
        else
          entities.push(
            this.tool(
              id,
              toolTraits({ readOnly, source: stringAttr(attrs, 'source'), hints: hintsOf(attrs) }),
            ),
          );
        break;
      }
      case 'Conversation': {
        const platform = stringAttr(attrs, 'platform') ?? id.split(':')[0] ?? id;
        entities.push({ uid: resource, attrs: { platform }, parents: [] });
        break;
      }
      case 'Run': {
        const owner = stringAttr(attrs, 'owner');
        if (owner === undefined) errors.push(`Run ${id} needs attrs.owner (the principal who started it)`);
        else {
          entities.push({ uid: resource, attrs: { owner: entityRef('User', owner) }, parents: [] });
          addUser(owner);
        }
        break;
      }
      case 'Approval': {
        const requester = stringAttr(attrs, 'requester') ?? stringAttr(query.context, 'requester');
        const tool = stringAttr(attrs, 'tool') ?? stringAttr(query.context, 'tool');
        if (requester === undefined || tool === undefined)
          errors.push(`Approval ${id} needs attrs.requester and attrs.tool`);
        else {
          entities.push({
            uid: resource,
            attrs: { requester: entityRef('User', requester), tool },
            parents: [],
          });
          addUser(requester);
        }
        break;
      }
      case 'Session': {
        const platform = stringAttr(attrs, 'platform') ?? id.split(':')[0] ?? id;
        entities.push({ uid: resource, attrs: { platform }, parents: [] });
        break;
      }
      case 'Everyone':
        break;
    }
    let context: Context = {};
    if (query.action === 'chat') {
      context = { agent: entityRef('Agent', stringAttr(query.context, 'agent') ?? 'default') };
    } else if (query.action === 'read_sessions' || query.action === 'reset_session') {
      const tookPart = query.context?.tookPart ?? query.context?.took_part ?? false;
      if (typeof tookPart !== 'boolean') errors.push(`${query.action} needs context.tookPart (a boolean)`);
      context = { took_part: tookPart === true };
    } else if (
      query.action === 'approve' ||
      query.action === 'approve_for_session' ||
      query.action === 'grant_always'
    ) {
      const requester = stringAttr(query.context, 'requester');
      if (requester === undefined)
        errors.push(`${query.action} needs context.requester (who asked for the tool)`);
      else {
        addUser(requester);
        context = {
          requester: entityRef('User', requester),
          tool: stringAttr(query.context, 'tool') ?? '',
          args_hash: stringAttr(query.context, 'argsHash', 'args_hash') ?? '',
          is_requester: requester === query.principal,
        };
      }
    }
    return { resource, entities, context, errors };
  }
}
