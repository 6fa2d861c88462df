import type { Principal, UsageQuery, UsageRow } from '../core/types.js';
import { addUsage } from '../core/usage.js';
import type { JournalStore } from '../journal/store.js';

/** Who is whom: the person an identity acts as, and a person's identities. */
export interface PersonResolver {
  personOf(principal: Principal): Principal;
  identitiesOf(principal: Principal): Principal[];
}

/**
 * Usage per person: rows recorded under an identity before it was linked count for its person,
 * so one person's usage is one line whichever platform it was spent on. Buckets stay as they are;
 * rows of one person in one bucket are added up. Oldest bucket first, as the journal answers.
 */
export async function usageByPerson(
  journal: Pick<JournalStore, 'usageSummary'>,
  people: PersonResolver,
  query: UsageQuery,
): Promise<UsageRow[]> {
  const rows =
    query.principal === undefined
      ? await journal.usageSummary(query)
      : (
          await Promise.all(
            people
              .identitiesOf(query.principal)
              .map((identity) => journal.usageSummary({ ...query, principal: identity })),
          )
        ).flat();
  const merged = new Map<string, UsageRow>();
  for (const row of rows) {
    const principal = people.personOf(row.principal);
    const key = `${principal}\u0000${row.bucketStart}`;
    const known = merged.get(key);
    if (known) addUsage(known, row);
    else merged.set(key, { ...row, principal });
  }
  return [...merged.values()].sort(
    (a, b) =>
      a.bucketStart - b.bucketStart || (a.principal < b.principal ? -1 : a.principal > b.principal ? 1 : 0),
  );
}
