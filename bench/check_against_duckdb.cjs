#!/usr/bin/env node
// Checks a `datastory profile --json` result against exact answers computed by DuckDB on the
// same CSV (not timed): means to 1e-9 relative, quantiles to 0.5% rank error, distinct counts
// exact up to 100,000 and within 2% above, missing counts exact, and corr(x, y).
//
// Usage: NODE_PATH=/tmp/bench-peers/node_modules node check_against_duckdb.cjs CSV PROFILE.json
// Prints one line per check and exits 1 if any fails.
'use strict';
const fs = require('fs');
const { DuckDBInstance } = require('@duckdb/node-api');

function ident(s) { return '"' + String(s).replace(/"/g, '""') + '"'; }

async function main() {
  const [csv, profilePath] = process.argv.slice(2);
  const profile = JSON.parse(fs.readFileSync(profilePath, 'utf8'));
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  await con.run(`CREATE TABLE t AS SELECT * FROM read_csv_auto('${csv.replace(/'/g, "''")}')`);
  const rows = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJS();
  const n = Number((await rows('SELECT count(*) AS n FROM t'))[0].n);
  let failures = 0;
  const report = (ok, what) => {
    if (!ok) failures++;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  };
  report(profile.dataset.rowCount === n, `rows ${profile.dataset.rowCount} = ${n}`);

  for (const d of profile.statistics.distributions) {
    const c = ident(d.column);
    const numeric = typeof d.mean === 'number';
    const ref = (await rows(`SELECT count(*) - count(${c}) AS missing, count(DISTINCT ${c}) AS distinct_n
                              ${numeric ? `, avg(${c}) AS mean` : ''} FROM t`))[0];
    const missing = Number(ref.missing), distinct = Number(ref.distinct_n);
    report(d.missing === missing, `${d.column}: missing ${d.missing} = ${missing}`);
    if (distinct <= 100000) {
      report(d.distinct === distinct, `${d.column}: distinct ${d.distinct} = ${distinct} (exact)`);
    } else {
      const err = Math.abs(d.distinct - distinct) / distinct;
      report(err <= 0.02, `${d.column}: distinct ${d.distinct} vs ${distinct}: ${(err * 100).toFixed(3)}% off (<= 2%)`);
    }
    if (!numeric) continue;
    const mean = Number(ref.mean);
    const rel = Math.abs(d.mean - mean) / Math.max(Math.abs(mean), 1e-300);
    report(rel <= 1e-9, `${d.column}: mean ${d.mean} vs ${mean}: relative error ${rel.toExponential(2)} (<= 1e-9)`);
    for (const [key, p] of [['p5', 0.05], ['p25', 0.25], ['median', 0.5], ['p75', 0.75], ['p95', 0.95]]) {
      const q = d[key];
      // The rank interval of the value: [share below, share at or below]; the error is the
      // distance from p to that interval.
      const r = (await rows(`SELECT count(*) FILTER (WHERE ${c} < ${q}) AS lo,
                                    count(*) FILTER (WHERE ${c} <= ${q}) AS hi, count(${c}) AS m FROM t`))[0];
      const m = Number(r.m), lo = Number(r.lo) / m, hi = Number(r.hi) / m;
      const err = p < lo ? lo - p : p > hi ? p - hi : 0;
      report(err <= 0.005, `${d.column}: ${key} ${q} has rank ${lo.toFixed(4)}..${hi.toFixed(4)}: error ${(err * 100).toFixed(3)}% (<= 0.5%)`);
    }
  }
  const xy = profile.statistics.correlations.find((r) => r.columns[0] === 'x' && r.columns[1] === 'y');
  if (xy) {
    const ref = Number((await rows('SELECT corr(x, y) AS r FROM t'))[0].r);
    report(Math.abs(xy.value - ref) < 1e-9, `corr(x, y) ${xy.value.toFixed(6)} = ${ref.toFixed(6)}`);
  }
  process.exit(failures ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(2); });
