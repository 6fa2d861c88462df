import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import { loadPolicyEngine } from '../policy/cedar-engine.js';
import { checkPolicies, explainDecision, POLICY_ACTIONS } from '../policy/check.js';

/**
 * `switchboard policy check` (non-zero exit on any error) and
 * `switchboard policy explain --principal P --action A [--tool T] [--subject S] [--read-only]`.
 */
export function policyCommand(args: string[]): number {
  const [sub, ...rest] = args;
  const { config } = loadConfig();
  const sources = { dir: resolve(config.policy.dir), schemaPath: resolve(config.policy.schema) };
  if (sub === 'check') {
    const result = checkPolicies(sources);
    for (const warning of result.warnings) process.stdout.write(`warning: ${warning}\n`);
    if (!result.ok) {
      for (const error of result.errors) process.stderr.write(`error: ${error}\n`);
      return 1;
    }
    process.stdout.write(`ok: ${result.policyCount} policies valid against ${sources.schemaPath}\n`);
    return 0;
  }
  if (sub === 'explain') {
    const { values } = parseArgs({
      args: rest,
      options: {
        principal: { type: 'string' },
        action: { type: 'string' },
        tool: { type: 'string' },
        subject: { type: 'string' },
        'read-only': { type: 'boolean' },
        source: { type: 'string' },
      },
    });
    if (!values.principal || !values.action) {
      process.stderr.write(
        `usage: switchboard policy explain --principal P --action A [--tool T [--read-only] [--source S]] (actions: ${POLICY_ACTIONS.join(', ')})\n`,
      );
      return 2;
    }
    const engine = loadPolicyEngine({ ...sources, groups: config.groups });
    const answer = explainDecision(engine, {
      principal: values.principal,
      action: values.action,
      ...(values.tool ? { tool: values.tool } : {}),
      ...(values.subject ? { subject: values.subject } : {}),
      ...(values['read-only'] ? { readOnly: true } : {}),
      ...(values.source ? { source: values.source } : {}),
    });
    process.stdout.write(
      `decision: ${answer.decision}\npolicies: ${answer.policyIds.join(', ') || '(none: default deny)'}\n`,
    );
    for (const error of answer.errors) process.stdout.write(`error: ${error}\n`);
    return answer.errors.some((e) => e.startsWith('unknown action') || e.includes('needs a tool')) ? 2 : 0;
  }
  process.stderr.write(
    'usage: switchboard policy check | policy explain --principal P --action A [--tool T]\n',
  );
  return 2;
}
