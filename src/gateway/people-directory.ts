import type { Principal } from '../core/types.js';
import type { JournalStore } from '../journal/store.js';
import type { Logger } from '../logging/logger.js';
import type { PolicyEngine } from '../policy/engine.js';
import { identitiesOf, NO_PEOPLE, type PeopleSnapshot, peopleSnapshot, personOf } from '../policy/people.js';

/** How soon, times the failures so far, a failed read of the people is tried again. */
const RETRY_MS = 2_000;
/** Failed reads in a row retried before waiting for the next change or signal. */
const MAX_RETRIES = 5;

/**
 * The journal's memberships and linked identities, held in memory for the synchronous policy
 * questions and put in force in the policy engine on every change: after a local commit
 * (`refresh`), and when another replica signals `people`. The journal stays the source of truth.
 */
export class PeopleDirectory {
  #snapshot: PeopleSnapshot = NO_PEOPLE;
  #pending: Promise<void> | undefined;
  #again = false;
  /** Failed reads in a row; each is tried again a little later, a few times. */
  #failures = 0;

  constructor(
    private readonly journal: Pick<JournalStore, 'listMemberships' | 'listIdentityLinks'>,
    private readonly policy: Pick<PolicyEngine, 'setPeople'>,
    private readonly logger: Logger,
  ) {}

  /** The snapshot in force. */
  get snapshot(): PeopleSnapshot {
    return this.#snapshot;
  }

  /** The person `principal` acts as (itself unless linked). */
  personOf(principal: Principal): Principal {
    return personOf(this.#snapshot, principal);
  }

  /** Every identity of the person `principal` acts as, the person first. */
  identitiesOf(principal: Principal): Principal[] {
    return identitiesOf(this.#snapshot, this.personOf(principal));
  }

  /**
   * Reads the people again and puts them in force; resolves once a read that began after this
   * call is in force. Calls while one runs coalesce into one more read.
   */
  refresh(): Promise<void> {
    if (this.#pending) {
      this.#again = true;
      return this.#pending;
    }
    this.#pending = (async () => {
      try {
        do {
          this.#again = false;
          const [memberships, links] = await Promise.all([
            this.journal.listMemberships(),
            this.journal.listIdentityLinks(),
          ]);
          this.#snapshot = peopleSnapshot(memberships, links);
          this.policy.setPeople?.(this.#snapshot);
        } while (this.#again);
        this.#failures = 0;
      } catch (error) {
        this.#failures += 1;
        const retry = this.#failures <= MAX_RETRIES;
        this.logger.error(
          { err: error, failures: this.#failures },
          `reading memberships and linked identities failed${retry ? '; trying again shortly' : ''}`,
        );
        // A revocation must not stay out of force because one read failed.
        if (retry) setTimeout(() => void this.refresh(), RETRY_MS * this.#failures).unref();
      } finally {
        this.#pending = undefined;
      }
    })();
    return this.#pending;
  }
}
