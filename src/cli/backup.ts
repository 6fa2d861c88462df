import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readEnvironment } from '../config/load.js';
import { backupSqliteFile, memoryBackupPath } from '../journal/backup.js';
import { SQLITE_JOURNAL_FILE } from '../journal/open.js';
import { MEMORY_FILE } from '../memory/sqlite-memory-store.js';

/**
 * `switchboard backup <file>`: a consistent copy of the SQLite journal (and the memory file
 * beside it, as `<file minus extension>.memory<extension>`) taken while the daemon runs. A
 * PostgreSQL journal is backed up with pg_dump instead; the command says how. Returns the exit code.
 */
export async function backupCommand(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const [file] = positionals;
  if (file === undefined || positionals.length > 1) {
    process.stderr.write('usage: switchboard backup <file>\n');
    return 2;
  }
  const { dataDir, databaseUrl } = readEnvironment(env);
  if (databaseUrl !== undefined) {
    process.stderr.write(
      'switchboard backup: the journal is on PostgreSQL (SWITCHBOARD_DATABASE_URL); back it up with pg_dump, e.g.\n' +
        '  pg_dump --format=custom --file=switchboard.dump "$SWITCHBOARD_DATABASE_URL"\n' +
        'and restore with pg_restore --clean --dbname "$SWITCHBOARD_DATABASE_URL" switchboard.dump\n',
    );
    return 1;
  }
  const target = resolve(file);
  try {
    const journal = await backupSqliteFile(join(dataDir, SQLITE_JOURNAL_FILE), target);
    print(`journal: ${journal.runs ?? 0} runs, ${journal.pages} pages → ${journal.target} (integrity ok)`);
    const memory = join(dataDir, MEMORY_FILE);
    if (existsSync(memory)) {
      const copy = await backupSqliteFile(memory, memoryBackupPath(target));
      print(`memory: ${copy.pages} pages → ${copy.target} (integrity ok)`);
    }
    return 0;
  } catch (error) {
    process.stderr.write(`switchboard backup: ${(error as Error).message}\n`);
    return 1;
  }
}
