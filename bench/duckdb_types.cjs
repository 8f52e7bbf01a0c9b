#!/usr/bin/env node
// The column types DuckDB's CSV sniffer gives a file, for bench/corpus_types.py.
//
// Usage: NODE_PATH=/tmp/bench-peers/node_modules node duckdb_types.cjs FILE
// Prints one JSON line: {"columns": [{"name", "type"}, ...]} or {"error": "..."}. One file a
// process, so a file that hangs the sniffer is killed by the caller's timeout alone.
'use strict';

const { DuckDBInstance } = require('@duckdb/node-api');

function sqlStr(s) { return "'" + String(s).replace(/'/g, "''") + "'"; }

async function main() {
  const file = process.argv[2];
  const inst = await DuckDBInstance.create(':memory:', { threads: '1' });
  const con = await inst.connect();
  try {
    const r = await con.runAndReadAll(`DESCRIBE SELECT * FROM read_csv_auto(${sqlStr(file)})`);
    const columns = r.getRowObjectsJS().map((row) => ({ name: row.column_name, type: row.column_type }));
    console.log(JSON.stringify({ columns }));
  } catch (e) {
    console.log(JSON.stringify({ error: String(e.message || e).split('\n')[0] }));
  }
}

main();
