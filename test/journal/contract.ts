import { describe } from 'vitest';
import { approvalsContract } from './contract/approvals.js';
import type { OpenStore } from './contract/fixtures.js';
import { grantsContract } from './contract/grants.js';
import { inboundContract } from './contract/inbound.js';
import { inboxClaimsContract } from './contract/inbox-claims.js';
import { outboxContract } from './contract/outbox.js';
import { peopleContract } from './contract/people.js';
import { retentionContract } from './contract/retention.js';
import { runsContract } from './contract/runs.js';
import { usageContract } from './contract/usage.js';

/**
 * The behaviour every `JournalStore` must have, as one suite: run it from an implementation's
 * test file with a function that opens a fresh, empty store (each test gets its own and closes it).
 */
export function journalContract(name: string, open: OpenStore): void {
  describe(`JournalStore contract: ${name}`, () => {
    inboundContract(open);
    inboxClaimsContract(open);
    runsContract(open);
    approvalsContract(open);
    grantsContract(open);
    outboxContract(open);
    usageContract(open);
    retentionContract(open);
    peopleContract(open);
  });
}
