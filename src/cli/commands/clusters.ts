/** `accrete clusters [show ID]`: the clusters of similar decompositions the miner found. */
import type { Command } from 'commander';
import type { Database } from '../../db/connection.js';
import { clusterProfiles, listClusters, minedCode } from '../../db/queries.js';
import { sharedTerms } from '../../../miner/represent/profile.js';
import { lastVerification, renderVerification } from '../../../miner/verify/outcome.js';
import { UsageError } from '../errors.js';
import { table, truncate } from '../format.js';
import { openDbFromOptions, printJson, withDb, withJson } from '../options.js';

function sideBySide(a: string, b: string, width: number): string {
  const la = a.split('\n');
  const lb = b.split('\n');
  const out: string[] = [];
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    const l = (la[i] ?? '').replace(/\t/g, '  ');
    const r = (lb[i] ?? '').replace(/\t/g, '  ');
    out.push(`${(l.length > width ? `${l.slice(0, width - 1)}…` : l).padEnd(width)} │ ${r.length > width ? `${r.slice(0, width - 1)}…` : r}`);
  }
  return out.join('\n');
}

const memberCode = minedCode;

export function registerClusters(program: Command): void {
  const cmd = program.command('clusters').description('clusters of similar decompositions found by `accrete mine`');
  withJson(withDb(cmd), 'print [{id, size, support, successRate, skeleton, members: [{runId, programId}], representative}]');
  cmd.action(async (opts: { db?: string; json?: boolean }) => {
    const database = await openDbFromOptions(opts);
    try {
      const all = await listClusters(database);
      if (opts.json) {
        printJson(all.map(({ templates: _t, growth: _g, ...c }) => c));
        return;
      }
      if (all.length === 0) {
        process.stdout.write('No clusters yet. Log some runs, then run: accrete mine\n');
        return;
      }
      process.stdout.write(
        `${table(
          all.map((c) => [c.id, String(c.size), String(c.support), `${Math.round(c.successRate * 100)}%`, c.growth ?? '-', truncate(c.skeleton, 90)]),
          ['cluster', 'size', 'support', 'success', 'growth', 'skeleton'],
        )}\n`,
      );
    } finally {
      await database.close();
    }
  });
  const show = cmd
    .command('show')
    .description('a cluster: its skeleton, prompt templates, and two members side by side')
    .argument('<id>', 'cluster id (see accrete clusters)');
  withJson(withDb(show));
  show.action(async (id: string, _opts: unknown, self: Command) => {
    // --db and --json may land on the parent command (`clusters`): read both levels.
    const opts = self.optsWithGlobals<{ db?: string; json?: boolean }>();
    const database = await openDbFromOptions(opts);
    try {
      const [c] = await listClusters(database, id);
      if (!c) throw new UsageError(`no cluster ${id} (see accrete clusters)`);
      const verification = await lastVerification(database, c.id);
      const shared = sharedTerms(await clusterProfiles(database, c.id));
      if (opts.json) {
        printJson({ ...c, verification: verification ?? null, shared });
        return;
      }
      const templates = (Array.isArray(c.templates) ? c.templates : []) as { fn?: string; text?: string }[];
      const [a, b] = [c.representative ?? c.members[0]?.runId, c.members.find((m) => m.runId !== c.representative)?.runId].filter(Boolean) as string[];
      const width = Math.max(30, Math.floor(((process.stdout.columns ?? 160) - 3) / 2));
      const lines = [
        `cluster ${c.id}: ${c.size} programs, support ${c.support} runs, success ${Math.round(c.successRate * 100)}%, model calls grow ${c.growth ?? '?'}`,
        `skeleton: ${c.skeleton}`,
        'held together by (what most members share, the share in brackets):',
        ...(Object.keys(shared).length
          ? Object.entries(shared).map(([view, terms]) => `  ${view.padEnd(11)} ${(terms ?? []).map((t) => `${t.term} (${Math.round(t.share * 100)}%)`).join(', ')}`)
          : ['  (no stored profiles: mined before profiles existed; the next pass adds them)']),
        'prompt templates:',
        ...(templates.length ? templates.map((t) => `  ${t.fn ?? 'llm'}: ${JSON.stringify(t.text ?? '')}`) : ['  (none)']),
        ...(verification ? renderVerification(verification) : ['last verification: none yet (accrete mine generalizes and verifies clusters that pass the thresholds)']),
        '',
      ];
      if (a) {
        const left = await memberCode(database, a);
        const right = b ? await memberCode(database, b) : '';
        lines.push(sideBySide(`run ${a} (representative)`, b ? `run ${b}` : '', width), sideBySide('-'.repeat(width), b ? '-'.repeat(width) : '', width), sideBySide(left, right, width));
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    } finally {
      await database.close();
    }
  });
}
