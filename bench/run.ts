/**
 * `npm run bench` — Latchkey's benchmark. See docs/benchmarks.md for the method and the last results.
 *
 *   node --import tsx bench/run.ts            full run (< 10 min on 2 cores)
 *   node --import tsx bench/run.ts --quick    ~2 min, same matrix, short windows (harness check)
 *
 * Options (all optional):
 *   --duration S --warmup S     measured window and warm-up per cell (full 8 / 2, quick 1.5 / 0.5)
 *   --concurrency C             virtual users (keep-alive connections), default 16
 *   --storage sqlite,postgres   --workers 1,2   --scenarios signin,signin-es256,register,list,srp,password
 *   --rss-ops 10000,100000      RSS stability: ops of ListWebAuthnCredentials (quick: 1000,5000; 0 = skip)
 *   --pg-url URL                PostgreSQL server (default $BENCH_DATABASE_URL or postgres://127.0.0.1:5432/test)
 *   --pg-private-db             put the fresh schema in a private database created for the run
 *   --data-root DIR             where the SQLite data directory is created (default: a temp directory)
 *   --sqlite-sync full|normal   LATCHKEY_SQLITE_SYNCHRONOUS for the servers (default full)
 *   --no-build                  do not run `npm run build` first
 *   --profile                   run the servers with --cpu-prof; summaries in bench/results/profiles/
 *   --sql                       print the SQL of each ceremony step's first run (statement counts)
 *   --budget S                  wall-clock budget; only the RSS check is shortened to fit (full 570, quick 150)
 *   --no-docs                   do not write docs/benchmarks.md (also implied by a partial matrix or --profile)
 *   --existence-n N             known-vs-unknown timing: calls per operation and side (full 200, quick 40; 0 = skip)
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import Database from 'better-sqlite3';
import { Endpoint, runLoad, type LoadResult } from './lib/http.js';
import { freePort, memory, postgresCpuByPid, spawnServer, type ServerProcess } from './lib/procs.js';
import { SCENARIOS, ceremony, setTokenAlg, setupPool, type AdminKeys, type BenchState, type ScenarioId } from './lib/latchkey.js';
import { renderMarkdown, renderConsole, type Report, type Row, type MemRow, type Ceilings } from './lib/report.js';
import { summarizeProfile } from './lib/profile.js';
import { DEFAULTS } from '../packages/server/dist/config/defaults.js';
import { measureExistenceTiming } from './lib/existence.js';
import { measureStatements } from './lib/statements.js';
import { TARGET_PREFIX } from '@latchkey/wire';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const has = (f: string) => argv.includes(f);
const opt = (f: string) => {
  const i = argv.indexOf(f);
  return i >= 0 ? argv[i + 1] : undefined;
};
const list = <T extends string>(f: string, all: readonly T[]): T[] => {
  const v = opt(f);
  if (!v) return [...all];
  const out = v.split(',').map((s) => s.trim()) as T[];
  for (const x of out) if (!all.includes(x)) throw new Error(`${f}: unknown value ${x} (one of ${all.join(', ')})`);
  return out;
};

const QUICK = has('--quick');
const DURATION_S = Number(opt('--duration') ?? (QUICK ? 1.5 : 8));
const WARMUP_S = Number(opt('--warmup') ?? (QUICK ? 0.5 : 2));
const CONCURRENCY = Number(opt('--concurrency') ?? 16);
const ALL_SCENARIOS = Object.keys(SCENARIOS) as ScenarioId[];
const STORAGES = list('--storage', ['sqlite', 'postgres'] as const);
const WORKERS = list('--workers', ['1', '2'] as const).map(Number);
const SCENARIO_IDS = list('--scenarios', ALL_SCENARIOS);
const RSS_OPS = (opt('--rss-ops') ?? (QUICK ? '1000,5000' : '10000,100000')).split(',').map(Number);
const PG_URL = opt('--pg-url') ?? process.env.BENCH_DATABASE_URL ?? 'postgres://127.0.0.1:5432/test';
const PG_PRIVATE_DB = has('--pg-private-db');
const PROFILE = has('--profile');
const SHOW_SQL = has('--sql');
const CEILING_SECONDS = QUICK ? 0.6 : 3;
/** Wall-clock budget of the whole run (the RSS check is shortened to fit, with a note). */
const BUDGET_S = Number(opt('--budget') ?? (QUICK ? 150 : 570));
/** Known-vs-unknown timing: calls per operation and side (medians of interleaved calls). */
const EXISTENCE_N = Number(opt('--existence-n') ?? (QUICK ? 40 : 200));
const FULL_MATRIX = STORAGES.length === 2 && WORKERS.includes(1) && WORKERS.includes(2) && SCENARIO_IDS.length === ALL_SCENARIOS.length;
const WRITE_DOCS = !has('--no-docs') && FULL_MATRIX && !has('--profile');
const RUN_ID = new Date().toISOString().replace(/[:.]/g, '-');
const RESULTS = join(ROOT, 'bench', 'results');
const TMP = mkdtempSync(join(os.tmpdir(), 'latchkey-bench-'));
/** Where SQLite data directories go (default: the temp directory). `--data-root /dev/shm` shows what fsync costs. */
const DATA_ROOT = opt('--data-root') ?? TMP;

const started = Date.now();
let keepLogs = false;
const log = (msg: string) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${msg}`);

// ------------------------------------------------------------------------------------------------
// Cleanup: servers we started and databases we created, also on Ctrl-C.
// ------------------------------------------------------------------------------------------------
const cleanups = new Set<() => Promise<void>>();
/** Registers a cleanup; returns a function that runs it now and forgets it. */
function track(fn: () => Promise<void>): () => Promise<void> {
  cleanups.add(fn);
  return async () => {
    cleanups.delete(fn);
    await fn();
  };
}
async function cleanupAll() {
  for (const fn of [...cleanups].reverse()) {
    cleanups.delete(fn);
    await fn().catch((err) => console.error('cleanup:', err));
  }
}
process.on('SIGINT', () => {
  console.error('\ninterrupted: cleaning up');
  void cleanupAll().finally(() => process.exit(130));
});

// ------------------------------------------------------------------------------------------------
// Machine
// ------------------------------------------------------------------------------------------------
function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout.trim() || String(os.availableParallelism());
  return {
    nproc: Number(nproc),
    cpuModel: model,
    node: process.version,
    memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    kernel: os.release(),
  };
}

/**
 * What one SQLite commit costs where the data directory lives (WAL; synchronous FULL, SQLite syncing each commit
 * on the calling thread, and NORMAL): the disk sync the server's group commit takes off the event loop and shares.
 */
function sqliteCommitCost(dir: string): { fullMs: number; normalMs: number } {
  const out = { fullMs: NaN, normalMs: NaN };
  for (const mode of ['FULL', 'NORMAL'] as const) {
    const d = mkdtempSync(join(dir, 'latchkey-bench-fsync-'));
    try {
      const db = new Database(join(d, 'probe.db'));
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${mode}`);
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
      const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
      const n = 200;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) ins.run('x'.repeat(300));
      const ms = (performance.now() - t0) / n;
      db.close();
      if (mode === 'FULL') out.fullMs = ms;
      else out.normalMs = ms;
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// PostgreSQL: a fresh schema in the given database (dropped afterwards), or with --pg-private-db a
// fresh schema in a private database created for the run (dropped afterwards), for servers where
// other users' schemas should not share a database with the bench.
// ------------------------------------------------------------------------------------------------
function pgUrl(url: string, database?: string): string {
  const u = new URL(url);
  if (!u.username) u.username = process.env.PGUSER || 'postgres';
  if (database) u.pathname = `/${database}`;
  return u.toString();
}

async function pgQuery(url: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: pgUrl(url) });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

interface PgTarget {
  url: string;
  schema: string;
  where: string;
  drop(): Promise<void>;
}

async function preparePostgres(): Promise<PgTarget> {
  const tag = `${process.pid}_${Date.now().toString(36)}`;
  const schema = `bench_${tag}`;
  if (!PG_PRIVATE_DB) {
    return {
      url: PG_URL,
      schema,
      where: `fresh schema ${schema} in database ${new URL(PG_URL).pathname.slice(1)} on ${new URL(PG_URL).host}`,
      drop: () => pgQuery(PG_URL, `DROP SCHEMA IF EXISTS ${schema} CASCADE`),
    };
  }
  const db = `lk_bench_${tag}`;
  await pgQuery(PG_URL, `CREATE DATABASE ${db}`);
  const url = pgUrl(PG_URL, db);
  return {
    url,
    schema,
    where: `fresh schema ${schema} in a private database ${db} on ${new URL(PG_URL).host} (--pg-private-db)`,
    async drop() {
      await pgQuery(url, `DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await pgQuery(PG_URL, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    },
  };
}

// ------------------------------------------------------------------------------------------------
// Servers
// ------------------------------------------------------------------------------------------------
const ADMIN: AdminKeys = {
  accessKeyId: `LKIABENCH${randomBytes(6).toString('hex').toUpperCase()}`,
  secretAccessKey: randomBytes(30).toString('base64url'),
};
const SERVER_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  LATCHKEY_SECRET: randomBytes(32).toString('base64url'),
  LATCHKEY_ADMIN_ACCESS_KEY_ID: ADMIN.accessKeyId,
  LATCHKEY_ADMIN_SECRET_ACCESS_KEY: ADMIN.secretAccessKey,
  // `--sqlite-sync normal` measures SQLite without a sync per commit (crash-safe, not power-loss-safe).
  LATCHKEY_SQLITE_SYNCHRONOUS: opt('--sqlite-sync') ?? 'full',
};
delete SERVER_ENV.NODE_OPTIONS;
// The issuer every run's tokens name: the server's own default public URL.
const PUBLIC_URL = `http://localhost:${DEFAULTS.port}`;

function profileArgs(name: string | undefined): string[] {
  if (!name) return [];
  const dir = join(RESULTS, 'profiles', `${RUN_ID}-${name}`);
  mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

async function startLatchkey(
  storage: 'sqlite' | 'postgres',
  workers: number,
  dataDir: string,
  pgTarget?: PgTarget,
  tag = '',
  profileName?: string,
): Promise<ServerProcess> {
  const port = await freePort();
  const name = `latchkey-${storage}-w${workers}${tag}`;
  const args = [
    ...profileArgs(profileName),
    join(ROOT, 'packages/server/bin/latchkey.js'),
    'serve',
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--data',
    dataDir,
    '--no-dev',
    '--workers',
    String(workers),
    // Token issuers derive from the public URL; a fixed one keeps tokens valid across the restarts on other ports.
    '--public-url',
    PUBLIC_URL,
    ...(pgTarget ? ['--database-url', pgTarget.url, '--database-schema', pgTarget.schema] : []),
  ];
  const srv = await spawnServer({ name, args, env: SERVER_ENV, port, workers, logFile: join(TMP, `${name}.log`), cwd: ROOT });
  srv.stop = track(srv.stop.bind(srv));
  return srv;
}

async function startBare(workers: number): Promise<ServerProcess> {
  const port = await freePort();
  const name = `bare-fastify-w${workers}`;
  const srv = await spawnServer({
    name,
    args: [...profileArgs(PROFILE ? name : undefined), join(ROOT, 'bench/bare-fastify.mjs'), String(port), String(workers)],
    env: SERVER_ENV,
    port,
    workers,
    logFile: join(TMP, `${name}.log`),
    cwd: ROOT,
  });
  srv.stop = track(srv.stop.bind(srv));
  return srv;
}

// ------------------------------------------------------------------------------------------------
// Measuring one cell
// ------------------------------------------------------------------------------------------------
interface Measured {
  /** The measured window in CLOCK_MONOTONIC µs (to cut CPU profiles to it). */
  windowUs: [number, number];
  result: LoadResult;
  serverCpuMsPerOp: number;
  serverCores: number;
  /** Share of the server's CPU time spent in the kernel (system time). */
  serverSysShare: number;
  workerShares: number[];
  /** PostgreSQL's CPU per op in the same window (all postgres processes); only with `mode.postgres`. */
  pgCpuMsPerOp?: number;
}

async function measure(
  srv: ServerProcess,
  fn: (ep: Endpoint) => (slot: number, seq: number) => Promise<void>,
  mode: { count?: number; postgres?: boolean } = {},
): Promise<Measured> {
  const ep = new Endpoint('127.0.0.1', srv.port, CONCURRENCY);
  let c0 = new Map<number, number>();
  let c1 = new Map<number, number>();
  const windowUs: [number, number] = [0, 0];
  const sys: [number, number] = [0, 0];
  let pg0 = new Map<number, number>();
  let pg1 = new Map<number, number>();
  const us = () => Number(process.hrtime.bigint() / 1000n);
  try {
    const result = await runLoad(
      {
        concurrency: CONCURRENCY,
        ...(mode.count !== undefined ? { count: mode.count } : { warmupMs: WARMUP_S * 1000, durationMs: DURATION_S * 1000 }),
        onWindow: (edge) => {
          if (edge === 'start') {
            c0 = srv.cpuByPid();
            if (mode.postgres) pg0 = postgresCpuByPid();
            sys[0] = srv.sysMs();
            windowUs[0] = us();
          } else {
            c1 = srv.cpuByPid();
            if (mode.postgres) pg1 = postgresCpuByPid();
            sys[1] = srv.sysMs();
            windowUs[1] = us();
          }
        },
      },
      fn(ep),
    );
    let total = 0;
    const workers = srv.workerPids();
    const perWorker = workers.map((p) => (c1.get(p) ?? 0) - (c0.get(p) ?? 0));
    for (const [p, v] of c1) total += v - (c0.get(p) ?? 0);
    const sumWorkers = perWorker.reduce((a, b) => a + b, 0) || 1;
    let pgTotal = 0;
    for (const [p, v] of pg1) pgTotal += v - (pg0.get(p) ?? 0);
    return {
      ...(mode.postgres && result.ops ? { pgCpuMsPerOp: pgTotal / result.ops } : {}),
      windowUs,
      result,
      serverCpuMsPerOp: result.ops ? total / result.ops : NaN,
      serverCores: total / 1000 / result.seconds,
      serverSysShare: total > 0 ? (sys[1] - sys[0]) / total : NaN,
      workerShares: perWorker.map((v) => v / sumWorkers),
    };
  } finally {
    ep.close();
  }
}

function describeCell(label: string, m: Measured) {
  const r = m.result;
  const share = m.workerShares.length > 1 ? ` workers ${m.workerShares.map((s) => `${(s * 100).toFixed(0)}%`).join('/')}` : '';
  log(
    `  ${label.padEnd(44)} ${r.opsPerSec.toFixed(1).padStart(8)} ops/s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  ` +
      `server ${m.serverCpuMsPerOp.toFixed(2)} ms/op (${m.serverCores.toFixed(2)} cores, ` +
      `${(m.serverSysShare * 100).toFixed(0)}% sys)  client ${r.clientCpuMsPerOp.toFixed(2)} ms/op${share}` +
      (m.pgCpuMsPerOp !== undefined ? `  PostgreSQL ${m.pgCpuMsPerOp.toFixed(2)} ms/op` : '') +
      (r.errors ? `  ERRORS ${r.errors}: ${r.errorSamples[0]}` : ''),
  );
}

// ------------------------------------------------------------------------------------------------
// Main
// ------------------------------------------------------------------------------------------------
async function main() {
  const mach = machine();
  const load0 = os.loadavg();
  const command = `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  log(
    `${QUICK ? 'QUICK' : 'full'} run: ${mach.nproc} × ${mach.cpuModel}, Node ` +
      `${mach.node}; load average ${load0.map((l) => l.toFixed(2)).join(' ')}`,
  );
  log(
    `matrix: storage ${STORAGES.join(',')} × workers ${WORKERS.join(',')} × ${SCENARIO_IDS.join(',')}; ` +
      `${WARMUP_S}s warm-up + ${DURATION_S}s per cell, ${CONCURRENCY} connections`,
  );

  if (!has('--no-build')) {
    log('npm run build');
    const b = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`npm run build failed (use --no-build to bench the existing dist):\n${b.stdout}\n${b.stderr}`);
  }

  log(`crypto ceilings (${CEILING_SECONDS}s each, separate process)`);
  const ceil = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/ceilings.ts'), '--seconds', String(CEILING_SECONDS)], {
    cwd: ROOT,
    encoding: 'utf8',
    env: SERVER_ENV,
  });
  if (ceil.status !== 0) throw new Error(`ceilings failed:\n${ceil.stderr}`);
  const ceilings = JSON.parse(ceil.stdout.trim().split('\n').pop()!) as Ceilings;
  for (const [k, v] of Object.entries(ceilings.ceremonies))
    log(`  ceiling ${k.padEnd(14)} ${v.opsPerCoreSec.toFixed(0).padStart(6)} ops/s/core (${v.cpuMsPerOp.toFixed(2)} ms CPU/op)`);

  const sqliteCommit = STORAGES.includes('sqlite') ? sqliteCommitCost(DATA_ROOT) : undefined;
  if (sqliteCommit)
    log(
      `SQLite commit in ${DATA_ROOT}: ${sqliteCommit.fullMs.toFixed(2)} ms (WAL, ` +
        `synchronous=FULL), ${sqliteCommit.normalMs.toFixed(3)} ms with NORMAL (the server: NORMAL + a shared fdatasync)`,
    );

  const rows: Row[] = [];
  const mem: MemRow[] = [];
  const notes: string[] = [];
  if (DATA_ROOT !== TMP) notes.push(`SQLite data directory under ${DATA_ROOT} (--data-root), not the default temporary directory.`);
  let rss: Report['rss'];
  const existence: NonNullable<Report['existence']> = [];
  const statements: NonNullable<Report['statements']> = [];
  let first: { storage: 'sqlite' | 'postgres'; dataDir: string; pgTarget?: PgTarget; st: BenchState } | undefined;

  // Bare Fastify reference: same generator, same body as ListWebAuthnCredentials.
  const bareBody = JSON.stringify({ AccessToken: 'x'.repeat(1100), MaxResults: 20 });
  for (const w of WORKERS) {
    log(`bare Fastify, ${w} worker${w > 1 ? 's' : ''}`);
    const srv = await startBare(w);
    const m = await measure(srv, (ep) => async () => {
      const r = await ep.post(`${TARGET_PREFIX}ListWebAuthnCredentials`, bareBody);
      if (r.status !== 200) throw new Error(`bare → ${r.status}`);
    });
    describeCell('bare Fastify POST → {}', m);
    rows.push({ scenario: 'bare', storage: '—', workers: w, ...m });
    profileWindows.set(`bare-fastify-w${w}`, m.windowUs);
    await srv.stop();
    if (PROFILE) notes.push(...profileNotes(`bare-fastify-w${w}`));
  }

  for (const storage of STORAGES) {
    const dataDir = mkdtempSync(join(DATA_ROOT, `latchkey-bench-${storage}-`));
    track(async () => rmSync(dataDir, { recursive: true, force: true }));
    let pgTarget: PgTarget | undefined;
    if (storage === 'postgres') {
      try {
        pgTarget = await preparePostgres();
      } catch (err) {
        log(`PostgreSQL at ${PG_URL} is not usable, skipped: ${(err as Error).message}`);
        notes.push(`PostgreSQL skipped: ${PG_URL} was not usable (${(err as Error).message}).`);
        continue;
      }
      pgTarget.drop = track(pgTarget.drop.bind(pgTarget));
      notes.push(`PostgreSQL: ${pgTarget.where}, dropped afterwards.`);
    }
    let st: BenchState | undefined;
    for (const w of WORKERS) {
      log(`${storage}, ${w} worker${w > 1 ? 's' : ''}: starting`);
      let srv = await startLatchkey(storage, w, dataDir, pgTarget);
      let admin = new Endpoint('127.0.0.1', srv.port, 8);
      try {
        if (!st) {
          const t = Date.now();
          st = await setupPool(admin, ADMIN, {
            signInUsers: CONCURRENCY,
            registerUsers: QUICK ? 48 : 200,
            listPasskeys: 20,
            ephemerals: 64,
            log: (m) => log(`  ${m}`),
          });
          log(`  setup done in ${((Date.now() - t) / 1000).toFixed(1)}s (pool ${st.poolId})`);
        }
        const state = st;
        for (const id of SCENARIO_IDS) {
          if (PROFILE) {
            // One profiled server process per scenario (the setup above ran unprofiled).
            admin.close();
            await srv.stop();
            srv = await startLatchkey(storage, w, dataDir, pgTarget, '', `${storage}-w${w}-${id}`);
            admin = new Endpoint('127.0.0.1', srv.port, 8);
          }
          if (id === 'signin-es256') await setTokenAlg(admin, ADMIN, state.poolId, 'ES256');
          const m = await measure(srv, (ep) => ceremony(id, ep, state), { postgres: storage === 'postgres' });
          if (id === 'signin-es256') await setTokenAlg(admin, ADMIN, state.poolId, 'RS256');
          describeCell(SCENARIOS[id].label, m);
          rows.push({ scenario: id, storage, workers: w, ...m });
          profileWindows.set(`${storage}-w${w}-${id}`, m.windowUs);
        }
        if (w === 1 && EXISTENCE_N > 0 && !PROFILE) {
          for (const t of await measureExistenceTiming('127.0.0.1', srv.port, ADMIN, EXISTENCE_N, (m) => log(`  ${m}`)))
            existence.push({ storage, ...t });
        }
        const pids = srv.pids();
        mem.push({
          storage,
          workers: w,
          processes: pids.map((pid, i) => ({ pid, role: w > 1 && i === 0 ? 'primary' : `worker${w > 1 ? ` ${i}` : ''}`, ...memory(pid) })),
        });
      } finally {
        admin.close();
        await srv.stop();
      }
      if (PROFILE) notes.push(...profileNotes(`${storage}-w${w}-`));
    }

    if (!PROFILE) {
      log(`${storage}: statements and round trips per ceremony step (in-process server, one request at a time)`);
      const stmDir = mkdtempSync(join(DATA_ROOT, `latchkey-bench-${storage}-statements-`));
      track(async () => rmSync(stmDir, { recursive: true, force: true }));
      statements.push(
        ...(await measureStatements(storage, {
          dataDir: stmDir,
          env: SERVER_ENV,
          admin: ADMIN,
          pgUrl: pgTarget?.url,
          pgSchema: pgTarget?.schema,
          sql: SHOW_SQL ? (ceremony, step, sql) => log(`${storage} ${ceremony} / ${step}:\n  ${sql.join('\n  ')}`) : undefined,
        })),
      );
    }

    if (!first && st) first = { storage, dataDir, pgTarget, st };
    else if (pgTarget) await pgTarget.drop();
  }

  // RSS stability on the first storage: a fresh 1-worker server, N1 then N2 (total) List operations.
  // Last, so that it can be shortened (and says so) if the run would otherwise pass its time budget.
  if (first && RSS_OPS[0]! > 0) {
    const { storage, dataDir, pgTarget, st: state } = first;
    const [n1, n2planned] = RSS_OPS as [number, number];
    const listRate = rows.find((r) => r.scenario === 'list' && r.storage === storage && r.workers === 1)?.result.opsPerSec;
    const left = BUDGET_S - (Date.now() - started) / 1000 - 15;
    let n2 = n2planned;
    if (listRate && n2 / listRate > left) {
      n2 = Math.max(3 * n1, Math.floor((listRate * left) / 1000) * 1000);
      if (n2 < n2planned)
        notes.push(
          `RSS check shortened from ${n2planned} to ${n2} operations to keep the ` +
            `run within ${BUDGET_S} s (List ran at ${listRate.toFixed(0)} ops/s).`,
        );
      else n2 = n2planned;
    }
    log(`${storage}: RSS stability, ListWebAuthnCredentials × ${n1} then × ${n2} in total (fresh 1-worker server)`);
    const srv = await startLatchkey(storage, 1, dataDir, pgTarget, '-rss');
    try {
      const pid = srv.pids()[0]!;
      const atStart = memory(pid);
      const a = await measure(srv, (ep) => ceremony('list', ep, state), { count: n1 });
      const after1 = memory(pid);
      const b = await measure(srv, (ep) => ceremony('list', ep, state), { count: n2 - n1 });
      const after2 = memory(pid);
      rss = {
        storage,
        scenario: 'list',
        n1,
        n2,
        startMiB: atStart.rssMiB,
        rss1MiB: after1.rssMiB,
        rss2MiB: after2.rssMiB,
        hwmMiB: after2.hwmMiB,
        errors: a.result.errors + b.result.errors,
        opsPerSec: (a.result.ops + b.result.ops) / (a.result.seconds + b.result.seconds),
      };
      for (const x of [a, b]) if (x.result.errors) log(`  RSS run errors: ${x.result.errors}: ${x.result.errorSamples.join(' | ')}`);
      log(
        `  RSS: start ${atStart.rssMiB.toFixed(1)} MiB, after ${n1}: ${after1.rssMiB.toFixed(1)} ` +
          `MiB, after ${n2}: ${after2.rssMiB.toFixed(1)} MiB (peak ${after2.hwmMiB.toFixed(1)})`,
      );
    } finally {
      await srv.stop();
    }
  }
  if (first?.pgTarget) await first.pgTarget.drop();

  keepLogs = rows.some((r) => r.result.errors > 0) || (rss?.errors ?? 0) > 0;
  const report: Report = {
    runId: RUN_ID,
    quick: QUICK,
    command,
    machine: mach,
    loadAvgStart: load0,
    loadAvgEnd: os.loadavg(),
    durationS: DURATION_S,
    warmupS: WARMUP_S,
    concurrency: CONCURRENCY,
    elapsedS: (Date.now() - started) / 1000,
    ceilings,
    sqliteCommit,
    rows,
    mem,
    rss,
    existence,
    statements,
    notes,
    fullMatrix: FULL_MATRIX,
  };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, `${RUN_ID}${QUICK ? '-quick' : ''}.json`), JSON.stringify(report, null, 2));
  writeFileSync(join(RESULTS, 'latest.json'), JSON.stringify(report, null, 2));
  console.log('\n' + renderConsole(report));
  if (WRITE_DOCS) {
    writeFileSync(join(ROOT, 'docs/benchmarks.md'), renderMarkdown(report));
    log('wrote docs/benchmarks.md');
  } else {
    log('docs/benchmarks.md not written (partial matrix or --no-docs)');
  }
  log(`results: ${relative(ROOT, join(RESULTS, 'latest.json'))}; server logs in ${TMP}`);
}

const profileWindows = new Map<string, [number, number]>();

function profileNotes(infix: string): string[] {
  const base = join(RESULTS, 'profiles');
  const dirs = readdirSync(base)
    .filter((d) => d.startsWith(`${RUN_ID}-${infix}`) || d === `${RUN_ID}-${infix.replace(/-$/, '')}`)
    .sort();
  const out: string[] = [];
  for (const d of dirs) {
    for (const f of readdirSync(join(base, d)).filter((x) => x.endsWith('.cpuprofile'))) {
      const summary = summarizeProfile(join(base, d, f), 15, profileWindows.get(d.slice(RUN_ID.length + 1)));
      writeFileSync(join(base, d, f.replace(/\.cpuprofile$/, '.txt')), summary);
      console.log(`\n--- profile ${d}/${f} ---\n${summary}`);
      out.push(`CPU profile: bench/results/profiles/${d}/${f} (summary next to it)`);
    }
  }
  return out;
}

main().then(
  async () => {
    await cleanupAll();
    if (keepLogs) console.log(`server logs kept in ${TMP} (there were errors)`);
    else rmSync(TMP, { recursive: true, force: true });
  },
  async (err) => {
    console.error(err);
    await cleanupAll();
    console.error(`server logs kept in ${TMP}`);
    process.exit(1);
  },
);
