import type { Grant } from '../core/types.js';
import { isActiveGrant } from '../journal/shared/grant-rows.js';
import type { JournalStore } from '../journal/store.js';
import type { Logger } from '../logging/logger.js';
import type { PolicyEngineHandle } from '../policy/cedar-engine.js';
import { type GrantSpec, grantSources } from '../policy/grants.js';

/** The part of the policy engine the grants go into. */
export type GrantPolicyTarget = Pick<PolicyEngineHandle, 'setExtraPolicies' | 'checkExtraPolicies'>;

/** What the grant book is built from. */
export interface GrantBookDeps {
  journal: Pick<JournalStore, 'listGrants'>;
  engine: GrantPolicyTarget;
  clock: () => number;
  logger: Logger;
}

/** The longest a timer may wait (setTimeout's limit); a later expiry is looked at again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** How soon a reload that failed (the journal unreachable) is tried again. */
const RETRY_MS = 2_000;
/** Grants read into the policy set at most; beyond this the oldest stop applying (and it is logged). */
const MAX_GRANTS = 10_000;

/**
 * Keeps the policy engine's generated permits equal to the journal's active grants: loaded at
 * start, reloaded after a grant is made or revoked here, when another replica says so
 * (`grants_changed`), and when the next grant expires. A grant the policy set cannot take (it
 * would not validate) is left out and logged, so one bad grant never keeps a revocation from
 * taking effect.
 */
export class GrantBook {
  private chain: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private inForce: readonly Grant[] = [];

  constructor(private readonly deps: GrantBookDeps) {}

  /**
   * Reads the active grants and puts their permits in force; resolves once they are (reloads
   * run one after another, so the last one reads the latest state).
   */
  reload(): Promise<void> {
    const next = this.chain.then(() => this.load());
    this.chain = next.catch((error: unknown) => {
      this.deps.logger.error({ err: error }, 'grants could not be reloaded; trying again shortly');
      this.retryLater();
    });
    return next;
  }

  /**
   * Takes a revoked grant out of force at once, without reading the journal (a reload that fails
   * must not leave it in force), then reloads.
   */
  async drop(id: string): Promise<void> {
    const kept = this.inForce.filter((grant) => grant.id !== id);
    if (kept.length !== this.inForce.length && this.deps.engine.setExtraPolicies(grantSources(kept)).ok)
      this.inForce = kept;
    await this.reload().catch(() => {}); // logged and retried above
  }

  /** The grants whose permits are in force. */
  get grants(): readonly Grant[] {
    return this.inForce;
  }

  /** The problems of adding `spec` to the grants in force: none when its permit validates. */
  check(spec: GrantSpec): string[] {
    return this.deps.engine.checkExtraPolicies(grantSources([...this.inForce, spec]));
  }

  /** Stops the expiry timer. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async load(): Promise<void> {
    const { journal, engine, clock, logger } = this.deps;
    const now = clock();
    const listed = await journal.listGrants({ now, limit: MAX_GRANTS });
    if (listed.length === MAX_GRANTS)
      logger.warn({ limit: MAX_GRANTS }, 'too many grants: only the newest are in force; revoke some');
    let grants = listed.filter((grant) => isActiveGrant(grant, now));
    // Nothing changed (the start with no grants, another replica's signal already applied): the
    // policy set is not built and preparsed again.
    if (sameGrants(grants, this.inForce)) return this.scheduleExpiry(grants, now);
    let result = engine.setExtraPolicies(grantSources(grants));
    if (!result.ok) {
      // Keep every grant that validates on its own; name the others.
      const bad = grants.filter((grant) => engine.checkExtraPolicies(grantSources([grant])).length > 0);
      logger.error(
        { grants: bad.map((g) => g.id), errors: result.errors },
        'grants left out: they do not validate',
      );
      grants = grants.filter((grant) => !bad.includes(grant));
      result = engine.setExtraPolicies(grantSources(grants));
      if (!result.ok) throw new Error(`the grants do not validate: ${result.errors.join('; ')}`);
    }
    this.inForce = grants;
    this.scheduleExpiry(grants, now);
  }

  /** A failed reload is tried again after a short wait (the expiry timer's slot). */
  private retryLater(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload().catch(() => {}), RETRY_MS);
    this.timer.unref();
  }

  private scheduleExpiry(grants: readonly Grant[], now: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped) return;
    let soonest = Number.POSITIVE_INFINITY;
    for (const grant of grants) if (grant.expiresAt !== null) soonest = Math.min(soonest, grant.expiresAt);
    if (!Number.isFinite(soonest)) return;
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, soonest - now + 1));
    this.timer = setTimeout(() => void this.reload().catch(() => {}), wait);
    this.timer.unref();
  }
}

/** Whether two lists hold the same grants in the same order (a grant never changes once made). */
function sameGrants(a: readonly Grant[], b: readonly Grant[]): boolean {
  return a.length === b.length && a.every((grant, i) => grant.id === b[i]?.id);
}
