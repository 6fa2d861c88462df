import {
  type AuthorizationAnswer,
  preparsePolicySet,
  preparseSchema,
  type StatefulAuthorizationCall,
  statefulIsAuthorized,
  type TypeAndId,
} from '@cedar-policy/cedar-wasm/nodejs';
import { ConfigError } from '../core/errors.js';
import {
  type CompiledPolicies,
  compileRead,
  type PolicySources,
  type ReadPolicies,
  readPolicies,
} from './compile.js';
import type { AuthzDecision, AuthzQuery, PolicyEngine, ToolCallQuery, ToolDecision } from './engine.js';
import { cedarUid, conversationId, EntityBuilder } from './entities.js';
import { GroupDirectory } from './groups.js';
import { NO_PEOPLE, type PeopleSnapshot } from './people.js';
import type { SourceFile } from './source.js';
import { toolTraits } from './tool-traits.js';

/** What {@link loadPolicyEngine} needs: the policy sources and the config's `groups:`. */
export interface PolicyEngineOptions extends PolicySources {
  /** Group name → principals; entries may end in `*` to match a prefix (`discord:*`). */
  groups: Readonly<Record<string, readonly string[]>>;
}

/** The outcome of {@link PolicyEngineHandle.reload}: the new set is live, or the old one stays and why. */
export type PolicyReloadResult =
  | { ok: true; policyCount: number; warnings: string[] }
  | { ok: false; errors: string[] };

/** The two actions that decide a tool call. */
export type ToolCallAction = 'call_tool' | 'request_tool';

/**
 * A {@link PolicyEngine} whose policy set can be swapped while the daemon runs. Every decision uses
 * one complete set: the old one until a reload has fully succeeded, then the new one.
 */
export interface PolicyEngineHandle extends PolicyEngine {
  /**
   * Reads and validates the policies and schema again (and takes new `groups` when given), then
   * swaps atomically. A broken set leaves the current one in force and says why.
   */
  reload(options?: { groups?: Readonly<Record<string, readonly string[]>> }): PolicyReloadResult;
  /**
   * Replaces the policies held outside the policy folder (generated grants) and swaps the set
   * like `reload`; a set that does not validate leaves the current one in force and says why.
   */
  setExtraPolicies(extra: readonly SourceFile[]): PolicyReloadResult;
  /** The problems of the policy set with `extra` instead of the current extra policies (none: it validates). */
  checkExtraPolicies(extra: readonly SourceFile[]): string[];
  /**
   * Puts the journal's memberships and linked identities in force at once (no reload): the
   * policies stay as they are, the groups of every principal are answered from `people` too.
   */
  setPeople(people: PeopleSnapshot): void;
  /** The ids of the policies in force, in file order. */
  readonly policyIds: readonly string[];
  /** The validator's warnings on the set in force. */
  readonly warnings: readonly string[];
  /** The groups `principal` is in under the current `groups:` (implied ones included). */
  groupsOf(principal: string): readonly string[];
  /** The exact Cedar call `decideToolCall` makes for `action`; for benchmarks and debugging. */
  toolCallRequest(query: ToolCallQuery, action: ToolCallAction): StatefulAuthorizationCall;
}

interface Verdict {
  allowed: boolean;
  policyIds: string[];
  errors: string[];
}

function verdictOf(answer: AuthorizationAnswer): Verdict {
  if (answer.type === 'failure') {
    return { allowed: false, policyIds: [], errors: answer.errors.map((e) => e.message) };
  }
  const { decision, diagnostics } = answer.response;
  const errors = diagnostics.errors.map((e) => `policy ${e.policyId}: ${e.error.message}`);
  return { allowed: decision === 'allow' && errors.length === 0, policyIds: diagnostics.reason, errors };
}

/** Action uids are built once; Cedar reads but never keeps them. */
const TOOL_ACTIONS: Readonly<Record<ToolCallAction, TypeAndId>> = {
  call_tool: cedarUid('Action', 'call_tool'),
  request_tool: cedarUid('Action', 'request_tool'),
};

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/** One loaded, immutable policy set with its preparsed Cedar state. */
class CedarPolicySet implements PolicyEngine {
  readonly compiled: CompiledPolicies;
  readonly #policySetId: string;
  readonly #schemaName: string;
  readonly groups: GroupDirectory;
  readonly #entities: EntityBuilder;

  /**
   * Resource types whose ids no policy of this set names. Cedar can only compare an entity to
   * another one, never read its id, so a decision on such a resource holds for every resource of
   * the same shape: one answer serves every run, approval or session with the same owner.
   */
  readonly #unnamedTypes: ReadonlySet<string>;

  constructor(
    compiled: CompiledPolicies,
    groups: GroupDirectory,
    readonly slot: string,
  ) {
    this.compiled = compiled;
    this.groups = groups;
    this.#policySetId = `${slot}:policies`;
    this.#schemaName = `${slot}:schema`;
    this.#entities = new EntityBuilder(groups);
    const texts = Object.values(compiled.policies);
    this.#unnamedTypes = new Set(
      ANONYMOUS_RESOURCE_TYPES.filter((type) => {
        const literal = new RegExp(`\\b${type}\\s*::\\s*"`);
        return !texts.some((text) => literal.test(text));
      }).map((type) => cedarUid(type, '').type),
    );
  }

  /** The same preparsed policies (same slot) with other groups: nothing to preparse again. */
  withGroups(groups: GroupDirectory): CedarPolicySet {
    return new CedarPolicySet(this.compiled, groups, this.slot);
  }

  /** Preparses schema and policies into this set's slot; returns errors, if any. */
  preparse(): string[] {
    const schema = preparseSchema(this.#schemaName, this.compiled.schemaText);
    if (schema.type === 'failure') return schema.errors.map((e) => `schema: ${e.message}`);
    const set = preparsePolicySet(this.#policySetId, { staticPolicies: this.compiled.policies });
    return set.type === 'failure' ? set.errors.map((e) => `policies: ${e.message}`) : [];
  }

  toolCallRequest(query: ToolCallQuery, action: ToolCallAction): StatefulAuthorizationCall {
    const conversation = cedarUid('Conversation', conversationId(query.conversation));
    return {
      principal: cedarUid('User', query.principal),
      action: TOOL_ACTIONS[action],
      resource: cedarUid('Tool', query.tool),
      context: {
        args_hash: query.argsHash,
        session_id: query.sessionId,
        conversation: { __entity: conversation },
        agent: { __entity: cedarUid('Agent', query.agent ?? 'default') },
        program: query.program ?? '',
      },
      preparsedSchemaName: this.#schemaName,
      validateRequest: true,
      preparsedPolicySetId: this.#policySetId,
      entities: [
        this.#entities.user(query.principal),
        this.#entities.tool(query.tool, toolTraits(query)),
        { uid: conversation, attrs: { platform: query.conversation.platform }, parents: [] },
      ],
    };
  }

  decideToolCall(query: ToolCallQuery): ToolDecision {
    const cedarCall = this.toolCallRequest(query, 'call_tool');
    const call = this.#run(cedarCall);
    if (call.errors.length > 0) return { decision: 'deny', policyIds: call.policyIds, errors: call.errors };
    if (call.allowed) return { decision: 'allow', policyIds: call.policyIds, errors: [] };
    const request = this.#run({ ...cedarCall, action: TOOL_ACTIONS.request_tool });
    if (request.allowed) return { decision: 'ask', policyIds: request.policyIds, errors: [] };
    return {
      decision: 'deny',
      policyIds: unique([...call.policyIds, ...request.policyIds]),
      errors: request.errors,
    };
  }

  authorize(query: AuthzQuery): AuthzDecision {
    const slice = this.#entities.authzSlice(query);
    if (slice.errors.length > 0) return { allowed: false, policyIds: [], errors: slice.errors };
    return this.#run(
      {
        principal: cedarUid('User', query.principal),
        action: cedarUid('Action', query.action),
        resource: slice.resource,
        context: slice.context,
        preparsedSchemaName: this.#schemaName,
        validateRequest: true,
        preparsedPolicySetId: this.#policySetId,
        entities: slice.entities,
      },
      this.#unnamedTypes.has(slice.resource.type) ? slice.resource : undefined,
    );
  }

  /**
   * Answers by request: this set never changes (a reload builds a new one), so an answer holds
   * for the same request for the set's whole life. Most requests repeat (who may chat, read which
   * memory, call which tool), and a Cedar call costs far more than the key.
   */
  readonly #memo = new Map<string, Verdict>();

  #run(call: StatefulAuthorizationCall, unnamed?: TypeAndId): Verdict {
    const key = JSON.stringify([call.principal, call.action, call.resource, call.context, call.entities]);
    const known = this.#memo.get(key);
    if (known) return known;
    // The same request with the resource's id left out (every mention of it, so comparisons
    // with it keep their outcome); only error-free answers are kept this way, since an error
    // message may name the id.
    const shapeKey =
      unnamed === undefined
        ? undefined
        : `shape:${key.replaceAll(JSON.stringify(unnamed), JSON.stringify({ type: unnamed.type, id: null }))}`;
    const sameShape = shapeKey === undefined ? undefined : this.#memo.get(shapeKey);
    if (sameShape) return sameShape;
    let verdict: Verdict;
    try {
      verdict = verdictOf(statefulIsAuthorized(call));
    } catch (err) {
      verdict = {
        allowed: false,
        policyIds: [],
        errors: [`cedar: ${err instanceof Error ? err.message : String(err)}`],
      };
    }
    if (this.#memo.size >= MEMO_LIMIT) this.#memo.clear();
    this.#memo.set(shapeKey !== undefined && verdict.errors.length === 0 ? shapeKey : key, verdict);
    return verdict;
  }
}

/** Resource types named by a fresh id per object, which policies normally never spell out. */
const ANONYMOUS_RESOURCE_TYPES = ['Run', 'Approval', 'Session'] as const;

/** Distinct requests remembered per policy set before the memo starts over. */
const MEMO_LIMIT = 4096;

let handleSerial = 0;

/** Builds and preparses one set, alternating between two Cedar cache slots per handle. */
function buildSet(
  read: ReadPolicies,
  extra: readonly SourceFile[],
  groups: Readonly<Record<string, readonly string[]>>,
  slot: string,
  people: PeopleSnapshot = NO_PEOPLE,
): { ok: true; set: CedarPolicySet } | { ok: false; errors: string[] } {
  const compiled = compileRead(read, extra);
  if (!compiled.ok) return compiled;
  let directory: GroupDirectory;
  try {
    directory = new GroupDirectory(groups, people);
  } catch (err) {
    return { ok: false, errors: [err instanceof Error ? err.message : String(err)] };
  }
  const set = new CedarPolicySet(compiled.compiled, directory, slot);
  const errors = set.preparse();
  return errors.length > 0 ? { ok: false, errors } : { ok: true, set };
}

/**
 * Loads the schema and every `*.cedar` file of `options.dir`, validates them in strict mode and
 * preparses them once, so each decision is one `statefulIsAuthorized` call (two for an `ask`).
 *
 * @throws ConfigError naming file, line and reason of every problem, or a bad `groups:` entry.
 */
export function loadPolicyEngine(options: PolicyEngineOptions): PolicyEngineHandle {
  handleSerial += 1;
  const prefix = `switchboard-${handleSerial}`;
  const sources: PolicySources = { dir: options.dir, schemaPath: options.schemaPath };
  // The files as last read: generated grants are validated with these, never a half-edited file.
  const firstRead = readPolicies(sources);
  if (!firstRead.ok) {
    throw new ConfigError(`invalid Cedar policies (fix and retry):\n  ${firstRead.errors.join('\n  ')}`);
  }
  let read = firstRead.read;
  let extra: readonly SourceFile[] = options.extra ?? [];
  let groups = options.groups;
  let people = NO_PEOPLE;
  let generation = 0;
  const first = buildSet(read, extra, groups, `${prefix}-0`);
  if (!first.ok) {
    throw new ConfigError(`invalid Cedar policies (fix and retry):\n  ${first.errors.join('\n  ')}`);
  }
  let current = first.set;
  const swap = (
    nextRead: ReadPolicies,
    nextExtra: readonly SourceFile[],
    nextGroups: Readonly<Record<string, readonly string[]>>,
  ): PolicyReloadResult => {
    // The slot not in use: the live set keeps working until the swap below.
    const built = buildSet(nextRead, nextExtra, nextGroups, `${prefix}-${(generation + 1) % 2}`, people);
    if (!built.ok) return built;
    generation += 1;
    read = nextRead;
    extra = nextExtra;
    groups = nextGroups;
    current = built.set;
    return { ok: true, policyCount: current.compiled.ids.length, warnings: current.compiled.warnings };
  };

  return {
    decideToolCall: (query) => current.decideToolCall(query),
    authorize: (query) => current.authorize(query),
    toolCallRequest: (query, action) => current.toolCallRequest(query, action),
    groupsOf: (principal) => current.groups.groupsOf(principal),
    get policyIds() {
      return current.compiled.ids;
    },
    get warnings() {
      return current.compiled.warnings;
    },
    setPeople(next) {
      // The groups were valid when the set was built; people only add exact principals.
      people = next;
      current = current.withGroups(new GroupDirectory(groups, people));
    },
    setExtraPolicies(nextExtra) {
      return swap(read, [...nextExtra], groups);
    },
    checkExtraPolicies(nextExtra) {
      const compiled = compileRead(read, nextExtra);
      return compiled.ok ? [] : compiled.errors;
    },
    reload(next) {
      const reread = readPolicies(sources);
      if (!reread.ok) return reread;
      return swap(reread.read, extra, next?.groups ?? groups);
    },
  };
}
