/**
 * What the miner makes of real-model programs: each cluster of a corpus generalized into a
 * function, and how usable that function is — whether it type-checks, whether its code has an
 * `any`, and which of its parameters have names that say nothing (`text`, `otherText`, `value`, a
 * numbered name). No proposal is made (imported runs of the dev corpus have no recorded sub-calls
 * to replay); this is the generalize step alone, as `accrete mine` runs it.
 *
 *  - dev: ../shared/corpora/dev-styles-*.jsonl (10 families in varied styles, 20 one-offs)
 *  - realroot: ../shared/corpora/realroot-no-library.jsonl (a frontier model as the root)
 *
 * Skipped, saying so, when ../shared/corpora is missing.
 *
 * Run: npx tsx bench/miner/functions.ts [--json]
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../src/db/connection.js';
import { importLines } from '../../src/trace/interchange.js';
import { runMining } from '../../miner/pipeline.js';
import { generalizeCluster, isRejected } from '../../miner/generalize/index.js';
import { withoutDoc } from '../../miner/generalize/gain.js';
import { checkSource } from '../../miner/verify/typecheck.js';

const CORPORA = fileURLToPath(new URL('../../../shared/corpora/', import.meta.url));

const CORPUS_FILES: Record<string, string[]> = {
  dev: ['dev-styles-1.jsonl', 'dev-styles-2.jsonl'],
  realroot: ['realroot-no-library.jsonl'],
};

/** Parameter names that say nothing of what the parameter is. */
const VAGUE = /^((other|second|third|fourth|fifth|extra|another|further|additional)?(text|value|prompt|string|param)\d*|[a-z]+\d+)$/i;

interface FunctionRow {
  cluster: string;
  name?: string;
  signature?: string;
  rejected?: string;
  typeChecks?: boolean;
  anys?: number;
  vague?: string[];
}

async function corpusFunctions(files: string[]): Promise<FunctionRow[]> {
  const database = await openDatabase('memory://');
  try {
    for (const f of files) await importLines(database, readFileSync(`${CORPORA}${f}`, 'utf8').split('\n'));
    await runMining(database, { clusterOnly: true });
    const ids = (await database.query<{ id: string }>('select id from clusters order by length(id), id')).map((r) => r.id);
    const rows: FunctionRow[] = [];
    const taken = new Set<string>();
    for (const id of ids) {
      const r = await generalizeCluster(database, id, { takenNames: taken });
      if (isRejected(r)) {
        rows.push({ cluster: id, rejected: r.rejected.slice(0, 160) });
        continue;
      }
      const code = withoutDoc(r.source);
      rows.push({
        cluster: id,
        name: r.name,
        signature: r.signature,
        typeChecks: checkSource(r.source).diagnostics.length === 0,
        anys: (code.match(/\bany\b/g) ?? []).length,
        vague: r.params.map((p) => p.name).filter((n) => n !== 'context' && VAGUE.test(n)),
      });
    }
    return rows;
  } finally {
    await database.close();
  }
}

const json = process.argv.includes('--json');
const out: Record<string, FunctionRow[]> = {};
for (const [corpus, files] of Object.entries(CORPUS_FILES)) {
  if (!files.every((f) => existsSync(`${CORPORA}${f}`))) {
    if (!json) console.log(`${corpus}: skipped (${CORPORA} is missing)`);
    continue;
  }
  out[corpus] = await corpusFunctions(files);
}
if (json) console.log(JSON.stringify(out, null, 2));
else {
  for (const [corpus, rows] of Object.entries(out)) {
    const made = rows.filter((r) => r.name);
    console.log(`\n${corpus}: ${rows.length} clusters, ${made.length} functions; ${made.filter((r) => r.typeChecks).length} type-check, ${made.filter((r) => r.anys).length} with an any, ${made.filter((r) => r.vague?.length).length} with a vague name`);
    for (const r of rows) {
      if (!r.name) console.log(`  ${r.cluster.padEnd(4)} rejected: ${r.rejected}`);
      else console.log(`  ${r.cluster.padEnd(4)} ${r.typeChecks ? 'ok ' : 'ERR'} any=${r.anys} ${r.vague?.length ? `vague=${r.vague.join(',')} ` : ''}${r.name}${r.signature}`);
    }
  }
}
