/**
 * Turns the measurements into the console table and docs/benchmarks.md. Every PASS/MISS is computed
 * here from the numbers of this run.
 */
import type { LoadResult } from './http.js';
import { SCENARIOS, type ScenarioId } from './latchkey.js';
import type { StatementRow } from './statements.js';

export interface CeilingMeasure {
  opsPerCoreSec: number;
  cpuMsPerOp: number;
  opsPerWallSec: number;
  n: number;
}

export interface Ceilings {
  seconds: number;
  ceremonies: Record<string, CeilingMeasure>;
  components: Record<string, CeilingMeasure>;
  client: Record<string, CeilingMeasure>;
}

export interface Row {
  scenario: ScenarioId | 'bare';
  storage: 'sqlite' | 'postgres' | '—';
  workers: number;
  result: LoadResult;
  serverCpuMsPerOp: number;
  serverCores: number;
  serverSysShare: number;
  workerShares: number[];
  /** PostgreSQL's CPU per op (all postgres processes, same window); PostgreSQL rows only. */
  pgCpuMsPerOp?: number;
}

export interface MemRow {
  storage: string;
  workers: number;
  processes: { pid: number; role: string; rssMiB: number; hwmMiB: number }[];
}

export interface Report {
  runId: string;
  quick: boolean;
  fullMatrix: boolean;
  command: string;
  machine: { nproc: number; cpuModel: string; node: string; memGiB: number; kernel: string };
  loadAvgStart: number[];
  loadAvgEnd: number[];
  durationS: number;
  warmupS: number;
  concurrency: number;
  elapsedS: number;
  ceilings: Ceilings;
  /** One SQLite commit in the data directory (WAL), synchronous FULL (SQLite syncing each commit itself) and NORMAL. */
  sqliteCommit?: { fullMs: number; normalMs: number };
  rows: Row[];
  mem: MemRow[];
  rss?: {
    storage: string;
    scenario: string;
    n1: number;
    n2: number;
    startMiB: number;
    rss1MiB: number;
    rss2MiB: number;
    hwmMiB: number;
    errors: number;
    opsPerSec: number;
  };
  /** Known vs unknown users (PreventUserExistenceErrors on): median latency of interleaved calls. */
  existence?: { storage: string; operation: string; n: number; knownMs: number; unknownMs: number }[];
  /** Store statements per request step (bench/lib/statements.ts). */
  statements?: StatementRow[];
  notes: string[];
}

/** Issue 16's targets: ratios within one run (default settings: SQLite synchronous=full, RS256 tokens, 1 worker). */
export const TARGETS = {
  ofCeiling: {
    signin: { sqlite: 0.7, postgres: 0.55 },
    register: { sqlite: 0.6, postgres: 0.45 },
    srp: { sqlite: 0.95, postgres: 0.95 },
    password: { sqlite: 0.95, postgres: 0.95 },
  },
  listOfBare: { sqlite: 0.5, postgres: 0.3 },
  /** Server CPU per op with 2 workers ÷ with 1, every ceremony. */
  twoWorkerCpu: 1.15,
  rssGrowth: 0.1,
} as const;

const f = (n: number | undefined, d = 1) => (n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(d));
const pct = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '—' : `${(n * 100).toFixed(0)} %`);
const label = (s: Row['scenario']) => (s === 'bare' ? 'bare Fastify POST → {}' : SCENARIOS[s].label);

function ceilingFor(rep: Report, row: Row): number | undefined {
  if (row.scenario === 'bare' || row.scenario === 'list') return undefined;
  const c = rep.ceilings.ceremonies[row.scenario];
  return c ? c.opsPerCoreSec * Math.min(row.workers, rep.machine.nproc) : undefined;
}

function bareFor(rep: Report, workers: number): Row | undefined {
  return (
    rep.rows.find((r) => r.scenario === 'bare' && r.workers === workers) ?? rep.rows.find((r) => r.scenario === 'bare' && r.workers === 1)
  );
}

interface TableRow {
  scenario: string;
  storage: string;
  workers: number;
  ops: string;
  p50: string;
  p99: string;
  errors: string;
  ceiling: string;
  bare: string;
  server: string;
  pg: string;
  client: string;
  cores: string;
  cryptoShare: string;
}

function tableRows(rep: Report): TableRow[] {
  return rep.rows.map((r) => {
    const ceiling = ceilingFor(rep, r);
    const bare = bareFor(rep, r.workers);
    return {
      scenario: label(r.scenario),
      storage: r.storage,
      workers: r.workers,
      ops: f(r.result.opsPerSec, 0),
      p50: f(r.result.p50),
      p99: f(r.result.p99),
      errors: String(r.result.errors),
      ceiling: ceiling ? pct(r.result.opsPerSec / ceiling) : '—',
      bare: r.scenario === 'bare' || !bare ? '—' : pct(r.result.opsPerSec / bare.result.opsPerSec),
      server: f(r.serverCpuMsPerOp, 2),
      pg: f(r.pgCpuMsPerOp, 2),
      client: f(r.result.clientCpuMsPerOp, 2),
      cryptoShare:
        r.scenario === 'bare' || !rep.ceilings.ceremonies[r.scenario]
          ? '—'
          : pct(rep.ceilings.ceremonies[r.scenario]!.cpuMsPerOp / r.serverCpuMsPerOp),
      cores:
        r.workerShares.length > 1
          ? `${f(r.serverCores, 2)} (${r.workerShares.map((s) => (s * 100).toFixed(0)).join('/')} %)`
          : f(r.serverCores, 2),
    };
  });
}

export interface TargetResult {
  target: string;
  where: string;
  measured: string;
  pass: boolean;
}

export function evaluateTargets(rep: Report): TargetResult[] {
  const out: TargetResult[] = [];
  const row = (s: Row['scenario'], storage: string, w: number) =>
    rep.rows.find((r) => r.scenario === s && r.storage === storage && r.workers === w);
  const storages = [...new Set(rep.rows.filter((r) => r.storage !== '—').map((r) => r.storage))] as ('sqlite' | 'postgres')[];
  const ok = (r: Row | undefined) => !!r && r.result.errors === 0 && r.result.ops > 0;
  const errs = (r: Row) => (r.result.errors ? `, ${r.result.errors} errors` : '');
  for (const storage of storages) {
    for (const s of ['signin', 'register', 'srp', 'password'] as const) {
      const need = TARGETS.ofCeiling[s][storage];
      const r = row(s, storage, 1);
      const c = r && ceilingFor(rep, r);
      if (r && c) {
        const ratio = r.result.opsPerSec / c;
        out.push({
          target: `${label(s)} ≥ ${Math.round(need * 100)} % of its crypto ceiling`,
          where: `${storage}, 1 worker`,
          measured: `${f(r.result.opsPerSec, 0)} / ${f(c, 0)} ops/s = ${pct(ratio)}${errs(r)}`,
          pass: ok(r) && ratio >= need,
        });
      }
    }
    const l = row('list', storage, 1);
    const b = bareFor(rep, 1);
    if (l && b) {
      const need = TARGETS.listOfBare[storage];
      const ratio = l.result.opsPerSec / b.result.opsPerSec;
      out.push({
        target: `${label('list')} ≥ ${Math.round(need * 100)} % of bare Fastify`,
        where: `${storage}, 1 worker`,
        measured: `${f(l.result.opsPerSec, 0)} / ${f(b.result.opsPerSec, 0)} ops/s = ${pct(ratio)}${errs(l)}`,
        pass: ok(l) && ratio >= need,
      });
    }
    for (const r1 of rep.rows.filter((r) => r.storage === storage && r.workers === 1)) {
      const r2 = row(r1.scenario, storage, 2);
      if (!r2) continue;
      const k = r2.serverCpuMsPerOp / r1.serverCpuMsPerOp;
      out.push({
        target: `${label(r1.scenario)}: server CPU/op with 2 workers ≤ ${TARGETS.twoWorkerCpu} × 1 worker`,
        where: storage,
        measured: `${f(r2.serverCpuMsPerOp, 2)} / ${f(r1.serverCpuMsPerOp, 2)} ms = ${f(k, 2)}×`,
        pass: ok(r1) && ok(r2) && k <= TARGETS.twoWorkerCpu,
      });
    }
  }
  if (rep.rss) {
    const g = rep.rss.rss2MiB / rep.rss.rss1MiB - 1;
    out.push({
      target: `RSS stable (growth from ${rep.rss.n1} to ${rep.rss.n2} ops ≤ ${TARGETS.rssGrowth * 100} %)`,
      where: `${rep.rss.storage}, 1 worker, ${rep.rss.scenario}`,
      measured: `${f(rep.rss.rss1MiB)} → ${f(rep.rss.rss2MiB)} MiB (${g >= 0 ? '+' : ''}${(g * 100).toFixed(1)} %)`,
      pass: rep.rss.errors === 0 && g <= TARGETS.rssGrowth,
    });
  }
  return out;
}

/**
 * The N-instance model: from PostgreSQL's and Latchkey's measured CPU per op (1 worker), how many ops/s one PostgreSQL core
 * carries and how many Latchkey cores it takes to bring that load.
 */
function instanceModel(rep: Report): string[][] {
  return rep.rows
    .filter((r) => r.storage === 'postgres' && r.workers === 1 && r.pgCpuMsPerOp !== undefined && r.pgCpuMsPerOp > 0)
    .map((r) => [
      label(r.scenario),
      f(r.serverCpuMsPerOp, 2),
      f(r.pgCpuMsPerOp, 2),
      f(1000 / r.serverCpuMsPerOp, 0),
      f(1000 / r.pgCpuMsPerOp!, 0),
      f(r.serverCpuMsPerOp / r.pgCpuMsPerOp!, 1),
    ]);
}

function scaling(rep: Report): { scenario: string; storage: string; k: string; cpu: string }[] {
  const out: { scenario: string; storage: string; k: string; cpu: string }[] = [];
  for (const r1 of rep.rows.filter((r) => r.workers === 1)) {
    const r2 = rep.rows.find((r) => r.scenario === r1.scenario && r.storage === r1.storage && r.workers === 2);
    if (r2)
      out.push({
        scenario: label(r1.scenario),
        storage: r1.storage,
        k: `${f(r2.result.opsPerSec / r1.result.opsPerSec, 2)}×`,
        cpu: `${f(r2.serverCpuMsPerOp / r1.serverCpuMsPerOp, 2)}×`,
      });
  }
  return out;
}

function mdTable(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function textTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const HEAD = [
  'scenario',
  'storage',
  'workers',
  'ops/s',
  'p50 ms',
  'p99 ms',
  'errors',
  'vs crypto ceiling',
  'vs bare Fastify',
  'server CPU ms/op',
  'PostgreSQL CPU ms/op',
  'crypto share',
  'client CPU ms/op',
  'server cores',
];
const cells = (t: TableRow) => [
  t.scenario,
  t.storage,
  String(t.workers),
  t.ops,
  t.p50,
  t.p99,
  t.errors,
  t.ceiling,
  t.bare,
  t.server,
  t.pg,
  t.cryptoShare,
  t.client,
  t.cores,
];

const peakLine = (m: Report['mem'][number]) =>
  `${m.storage}×${m.workers}: ${m.processes.map((p) => `${p.role} ${f(p.hwmMiB, 0)}`).join(', ')} MiB`;

export function renderConsole(rep: Report): string {
  const targets = evaluateTargets(rep);
  return [
    textTable(HEAD, tableRows(rep).map(cells)),
    '',
    textTable(
      ['target', 'where', 'measured', 'result'],
      targets.map((t) => [t.target, t.where, t.measured, t.pass ? 'PASS' : 'MISS']),
    ),
    rep.existence?.length ? `\n${existenceTable(rep, textTable)}` : '',
    rep.statements?.length ? `\n${statementsTable(rep, textTable)}` : '',
    rep.rss
      ? `\nRSS stability: ${rep.rss.n1} ops → ${f(rep.rss.rss1MiB)} MiB, ` +
        `${rep.rss.n2} ops → ${f(rep.rss.rss2MiB)} MiB (peak ${f(rep.rss.hwmMiB)} MiB)`
      : '',
    `\nPeak RSS (VmHWM) per configuration: ${rep.mem.map(peakLine).join('; ')}`,
    rep.quick ? '\n(QUICK run: windows are short; numbers validate the harness, they are not the benchmark.)' : '',
  ].join('\n');
}

const loads = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
const QUICK_NOTE =
  ' — **QUICK run: short windows on a shared machine; these numbers only show that the harness works, they are not the benchmark.** ' +
  'Run `npm run bench` for the real numbers.';
const SQLITE_NOTE =
  'The FULL figure is what each commit would stop the event loop for if SQLite synced it itself (better-sqlite3 is ' +
  'synchronous). The server does not: it commits with NORMAL and acknowledges a write only after one fdatasync of ' +
  "the WAL, run on libuv's thread pool and shared by every commit that arrived meanwhile (group commit, " +
  'storage/sqlite/groupCommit.ts), so an acknowledged write is as durable as with FULL.\n\n';

export function renderMarkdown(rep: Report): string {
  const targets = evaluateTargets(rep);
  const m = rep.machine;
  const c = rep.ceilings;
  const when = rep.runId.replace(/T(\d\d)-(\d\d)-(\d\d)-\d+Z$/, ' $1:$2:$3 UTC');
  const ceremonyNames: Record<string, string> = {
    signin:
      'one ES256 assertion verification (verifyAuthentication) + access and id ' +
      'token, RS256 (tokens.issue) + session/refresh-token hashing and randomness',
    'signin-es256': 'the same with ES256 tokens',
    register:
      'two access-token verifications (Start and Complete, RS256) + one registration ' +
      'verification (verifyRegistration, attestation none, ES256 key) + challenge',
    list: 'one access-token verification (RS256) — informational: List is compared with bare Fastify, not with this',
    srp:
      'startSrpSession + verifyPasswordClaim (3 modular exponentiations, ' +
      '256-bit exponents, 3072-bit group) + tokens.issue RS256 + hashing',
    password: 'checkPassword (1 modular exponentiation) + tokens.issue RS256 + hashing',
  };
  const passCount = targets.filter((t) => t.pass).length;
  const commitRow = rep.sqliteCommit
    ? `| One SQLite commit in the data directory (WAL) | ${f(rep.sqliteCommit.fullMs, 2)} ms with synchronous=FULL ` +
      `(SQLite's own sync per commit), ${f(rep.sqliteCommit.normalMs, 3)} ms with NORMAL |\n`
    : '';
  const rssScenario = rep.rss?.scenario === 'list' ? 'ListWebAuthnCredentials' : rep.rss?.scenario;
  const srpClientMs = f(c.client['SRP ephemeral + claim, @latchkey/auth (pure BigInt, as in a browser)']?.cpuMsPerOp, 0);
  return `# Benchmarks

Generated by \`${rep.command}\` (bench/run.ts) on ${when}${rep.quick ? QUICK_NOTE : '.'}
Every number and every PASS/MISS below comes from that run; nothing is typed in by hand.

## Machine

| | |
|---|---|
| CPU | ${m.nproc} × ${m.cpuModel} (\`nproc\` = ${m.nproc}) |
| Memory | ${m.memGiB} GiB |
| Node | ${m.node} |
| Kernel | ${m.kernel} |
| Load average at start / end | ${loads(rep.loadAvgStart)} / ${loads(rep.loadAvgEnd)} |
| Run time | ${f(rep.elapsedS, 0)} s |
${commitRow}
${rep.sqliteCommit ? SQLITE_NOTE : ''}The load generator, the server and PostgreSQL share these ${m.nproc} cores.
A load average well above ${m.nproc} at the start means other work was running and the numbers are noisy.

## Targets

${passCount} of ${targets.length} met.

${mdTable(
  ['target', 'where', 'measured', 'result'],
  targets.map((t) => [t.target, t.where, t.measured, t.pass ? '**PASS**' : '**MISS**']),
)}

## Results

${rep.concurrency} keep-alive connections, ${rep.warmupS} s warm-up then ${rep.durationS} s measured per row. One op = one whole ceremony
(for sign-ins and registrations: both requests plus the client's work between them). p50/p99 are per ceremony.
"vs crypto ceiling" = ops/s ÷ (the ceremony's crypto ceiling × workers); "vs bare Fastify" = ops/s ÷ bare Fastify with the same
number of workers. Server CPU = user + system time of all server processes during the window ÷ ops; client CPU likewise for the
load generator; "crypto share" = the ceremony's crypto CPU (see Crypto ceilings) ÷ server CPU per op, i.e. the part of the server's
work that is cryptography (less affected by other load on the machine than ops/s); server cores = server CPU time ÷ window
(with 2 workers: each worker's share). A server that uses clearly less than one core per worker is waiting, not computing
(I/O, fsync, the database, or a CPU taken by other processes).

${mdTable(HEAD, tableRows(rep).map(cells))}

### RS256 vs ES256 tokens (passkey sign-in)

${mdTable(
  ['storage', 'workers', 'RS256 ops/s', 'ES256 ops/s', 'ES256 / RS256', 'RS256 p50 / p99 ms', 'ES256 p50 / p99 ms'],
  rep.rows
    .filter((r) => r.scenario === 'signin')
    .map((r) => {
      const e = rep.rows.find((x) => x.scenario === 'signin-es256' && x.storage === r.storage && x.workers === r.workers);
      return [
        r.storage,
        String(r.workers),
        f(r.result.opsPerSec, 0),
        f(e?.result.opsPerSec, 0),
        e ? `${f(e.result.opsPerSec / r.result.opsPerSec, 2)}×` : '—',
        `${f(r.result.p50)} / ${f(r.result.p99)}`,
        e ? `${f(e.result.p50)} / ${f(e.result.p99)}` : '—',
      ];
    }),
)}

### Scaling: 2 workers ÷ 1 worker

Throughput is bounded by the 2 cores the generator shares with the server, so the scaling efficiency is read from server CPU
per op: a ratio near 1 means a second worker adds no work per ceremony (no contention, no duplicated state).

${mdTable(
  ['scenario', 'storage', 'ops/s, 2 workers ÷ 1', 'server CPU/op, 2 workers ÷ 1'],
  scaling(rep).map((s) => [s.scenario, s.storage, s.k, s.cpu]),
)}

### N instances on one PostgreSQL

PostgreSQL's CPU per op is the user + system time of every \`postgres\` process on the machine during the row's window
(process accounting), 1 worker. One PostgreSQL core carries 1000 ÷ that many ops/s; one Latchkey core serves 1000 ÷ its own.
Model: N instances with W cores each serve min(N · W · 1000 ÷ Latchkey ms, P · 1000 ÷ PostgreSQL ms) ops/s on a P-core
PostgreSQL, so about *Latchkey ÷ PostgreSQL* Latchkey cores saturate one PostgreSQL core. It leaves out the network
round trips between machines (latency, not CPU: more connections per instance cover it) and lock waits, which these
single-row, per-user writes rarely meet.

${(() => {
  const m = instanceModel(rep);
  return m.length
    ? mdTable(
        [
          'ceremony',
          'Latchkey CPU ms/op',
          'PostgreSQL CPU ms/op',
          'ops/s per Latchkey core',
          'ops/s per PostgreSQL core',
          'Latchkey cores per PostgreSQL core',
        ],
        m,
      )
    : 'Not run (no PostgreSQL rows).';
})()}

## Crypto ceilings

The server-side cryptography of exactly one ceremony, done by the server's own functions (\`packages/server/dist/security/*.js\`)
in a loop, one at a time, in a separate process (bench/ceilings.ts, ${c.seconds} s each). Ceiling = ops per CPU-second of that
process (user + system, so work WebCrypto hands to libuv threads counts) = ops/s on one core.

${mdTable(
  ['ceremony', 'what is counted', 'crypto CPU ms/op', 'ceiling ops/s (1 core)'],
  Object.entries(c.ceremonies).map(([k, v]) => [
    SCENARIOS[k as ScenarioId]?.label ?? k,
    ceremonyNames[k] ?? '',
    f(v.cpuMsPerOp, 3),
    f(v.opsPerCoreSec, 0),
  ]),
)}

Components (same method):

${mdTable(
  ['function', 'CPU ms/op', 'ops/s (1 core)'],
  Object.entries(c.components).map(([k, v]) => [k, f(v.cpuMsPerOp, 3), f(v.opsPerCoreSec, 0)]),
)}

Client-side work per ceremony (same method; the generator's measured CPU per op is in the results table):

${mdTable(
  ['client work', 'CPU ms/op'],
  Object.entries(c.client).map(([k, v]) => [k, f(v.cpuMsPerOp, 3)]),
)}

## Known vs unknown users

With PreventUserExistenceErrors on, the answer for a name nobody holds must not tell it apart from a real user's, in its
fields (tested in packages/server/test/user-existence.test.ts) nor in its timing (measured here).
Per operation: ${rep.existence?.[0]?.n ?? 0} calls
for existing users and as many for unknown names, interleaved pairwise in random order, one at a time on one keep-alive connection,
1 worker; median latency of each side and the gap.

${rep.existence?.length ? existenceTable(rep, mdTable) : 'Not run.'}

## Statements per ceremony step

Every statement the store sends, counted through the store's statement hook (\`StoreOptions.onStatement\`, off in production)
on an in-process server driven one request at a time (minimum of 3 runs per step). *round trips* counts everything sent,
BEGIN and COMMIT included (each is a network round trip on PostgreSQL); *reads* are SELECTs outside a transaction; *write
transactions* are explicit transactions plus autocommit writes (each one a commit, a disk sync with SQLite \`synchronous=FULL\`).
Issue 16's target is at most one read round trip and one write transaction per step.

${rep.statements?.length ? statementsTable(rep, mdTable) : 'Not run.'}

## Memory

Peak RSS (\`VmHWM\` from /proc/<pid>/status) of each server process at the end of its configuration's run:

${mdTable(
  ['storage', 'workers', 'processes (peak RSS)'],
  rep.mem.map((x) => [x.storage, String(x.workers), x.processes.map((p) => `${p.role}: ${f(p.hwmMiB, 0)} MiB`).join(', ')]),
)}

${
  rep.rss
    ? `RSS stability (${rep.rss.storage}, fresh 1-worker server, ${rssScenario}, ${f(rep.rss.opsPerSec, 0)} ops/s,
${rep.rss.errors} errors):
RSS ${f(rep.rss.startMiB)} MiB at start, ${f(rep.rss.rss1MiB)} MiB after ${rep.rss.n1} operations,
${f(rep.rss.rss2MiB)} MiB after ${rep.rss.n2} (peak ${f(rep.rss.hwmMiB)} MiB).`
    : 'RSS stability: not run.'
}

## Method

- **Server**: the built CLI (\`node packages/server/bin/latchkey.js serve --no-dev --workers N\`, after \`npm run build\`), a separate
  process, default log level (info, to a file). SQLite in a temporary \`--data\` directory; PostgreSQL with a fresh
  \`--database-schema\`. Both worker counts of a storage use the same data; the setup runs once per storage. With 2 workers the
  bench waits until connections reach both workers (node:cluster only hands connections to workers that listen) and opens new
  connections for every row.
- **Setup** (not measured), through the AWS SDK with admin keys given to the server by environment: a pool with passwords and
  passkeys (RP ID \`localhost\`, user verification preferred), a public app client with every flow, users, and passkeys
  registered through the real ceremony with \`@latchkey/virtual-authenticator\` (ES256). \`maxPasskeysPerUser\` is raised to 100
  with \`LatchkeyUpdateUserPoolSettings\` only so that registrations (spread round-robin over many users) never hit the limit;
  ES256 tokens are switched on and off with the same operation.
- **Load generator**: bench/lib/http.ts, in the bench's own process (not the server's): node:http with a keep-alive Agent,
  ${rep.concurrency} virtual users each running one ceremony after another on its own connection, on loopback. Each passkey sign-in
  user has its own passkey, so no two in-flight sign-ins share a credential (the server refuses concurrent use of one credential).
  - (a) InitiateAuth USER_AUTH + PREFERRED_CHALLENGE WEB_AUTHN → the virtual authenticator signs the request options (ES256) →
    RespondToAuthChallenge WEB_AUTHN → tokens.
  - (b) StartWebAuthnRegistration → the authenticator creates a credential (new P-256 key, attestation none) →
    CompleteWebAuthnRegistration; a fresh authenticator and the next of many users for each.
  - (c) ListWebAuthnCredentials, MaxResults 20, for one user with 20 passkeys.
  - (d) InitiateAuth USER_SRP_AUTH → client password claim → RespondToAuthChallenge PASSWORD_VERIFIER → tokens. The client
    math of a real client (@latchkey/auth, pure BigInt, as in a browser) costs ${srpClientMs} ms per sign-in, which would
    make the 2-core machine measure the client. The generator therefore uses bench/lib/srpClient.ts: the same math with the
    3072-bit exponentiations in OpenSSL (as the server does), per-user x and verifier precomputed, and client ephemerals (a, A)
    precomputed and reused round-robin (the server draws a fresh b each time; its work does not change). The first sign-in of the
    setup goes through the real @latchkey/auth client to check the fast one. What remains per sign-in on the client is one
    modular exponentiation (${f(c.client['SRP claim, bench client (OpenSSL modexp)']?.cpuMsPerOp, 2)} ms), shown as client CPU in the table.
  - (e) InitiateAuth USER_PASSWORD_AUTH → tokens.
- **Bare Fastify**: bench/bare-fastify.mjs, \`POST /\` → \`{}\` with the same request (headers and a body the size of (c)'s),
  under the same generator.
- **Profiles**: \`npm run bench -- --profile --quick --storage sqlite --workers 1 --scenarios signin\` restarts the server under
  \`--cpu-prof\` for each row and prints a summary of the measured window (bench/lib/profile.ts); files in bench/results/profiles/.
  \`--data-root /dev/shm\` puts the SQLite directory on tmpfs, which shows how much of a SQLite row is fsync.
- **Honesty notes**: the generator and the server share ${m.nproc} cores, so the client's CPU (column "client CPU ms/op") is
  taken from the server's budget, most visibly with 2 workers; WebCrypto work (JWT signatures, assertion verification) runs on
  libuv threads, so one worker can use more than one core. On a machine shared with other work, ops/s can move by far more
  than ±20 % between runs (see the load average above); "crypto share" and server CPU per op move less. Bare Fastify's own
  2-worker ÷ 1-worker ratio in the scaling table is what this rig allows for cheap requests.

${rep.notes.length ? `## Notes\n\n${rep.notes.map((n) => `- ${n}`).join('\n')}\n` : ''}`;
}

/** Statement counts per storage, ceremony and step, in the given table renderer. */
function statementsTable(rep: Report, table: (head: string[], rows: string[][]) => string): string {
  return table(
    ['ceremony', 'step', 'storage', 'statements', 'round trips', 'reads', 'write transactions'],
    (rep.statements ?? []).map((s) => [
      s.ceremony,
      s.step,
      s.storage,
      String(s.statements),
      String(s.roundTrips),
      String(s.reads),
      String(s.writeTransactions),
    ]),
  );
}

/** Known vs unknown medians per storage and operation, in the given table renderer. */
function existenceTable(rep: Report, table: (head: string[], rows: string[][]) => string): string {
  return table(
    ['operation', 'storage', 'known p50 ms', 'unknown p50 ms', 'gap ms', 'known ÷ unknown'],
    (rep.existence ?? []).map((e) => [
      e.operation,
      e.storage,
      f(e.knownMs, 2),
      f(e.unknownMs, 2),
      f(e.knownMs - e.unknownMs, 2),
      `${f(e.knownMs / e.unknownMs, 2)}×`,
    ]),
  );
}
