#!/usr/bin/env python3
"""Column types on other CSV readers' test suites: DataStory against DuckDB's sniffer.

Runs `datastory profile --json` and DuckDB's `read_csv_auto` (bench/duckdb_types.cjs) on every
CSV-like file under CORPUS, each with a time limit, and then:

  * counts crashes (a signal, or an exit code other than 0 and 65, "not a readable table") and
    hangs (no answer within --timeout seconds) of DataStory on every file;
  * scores both readers' column types against bench/corpus/verdicts.tsv, the verdicts: for each
    judged file, the columns a careful analyst would read and the types that are right for each.

The corpus is not in the repository (it is other projects' files); bench/corpus/README.md says
which repositories and commits it is made of. A verdict line reads

    path<TAB>types<TAB>how<TAB>note

`path` is relative to CORPUS; `types` has one entry a column, separated by spaces, each entry
one or more of integer, float, boolean, date, datetime, time, string, identifier joined by `|`
(the types that read that column right). `how` is `judged` (the file was read by hand) or
`excluded` (types `-`: empty, a header alone, not a table; such files count only for crashes
and hangs). A file whose column count a reader gets wrong scores none of its columns for that reader.

Usage: bench/corpus_types.py CORPUS [--verdicts F] [--cache DIR] [--timeout S] [--jobs N]
                             [--datastory BIN]
       bench/corpus_types.py CORPUS --disagreements   (the files the two readers read apart)
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUFFIXES = ('.csv', '.tsv', '.txt', '.dat', '.psv', '.tab')
TYPES = {'integer', 'float', 'boolean', 'date', 'datetime', 'time', 'string', 'identifier'}

# DuckDB's SQL types, and ours, in the verdicts' words.
DUCKDB_TYPES = [('BOOLEAN', 'boolean'), ('TIMESTAMP', 'datetime'), ('DATE', 'date'),
                ('TIME', 'time'), ('DOUBLE', 'float'), ('FLOAT', 'float'), ('DECIMAL', 'float'),
                ('TINYINT', 'integer'), ('SMALLINT', 'integer'), ('INTEGER', 'integer'),
                ('BIGINT', 'integer'), ('HUGEINT', 'integer'), ('UBIGINT', 'integer'),
                ('VARCHAR', 'string')]
OUR_TYPES = {'integer': 'integer', 'float': 'float', 'boolean': 'boolean', 'date': 'date',
             'datetime': 'datetime', 'time': 'time', 'categorical': 'string', 'text': 'string',
             'identifier': 'identifier'}


def duckdb_type(sql_type):
    for prefix, word in DUCKDB_TYPES:
        if sql_type.startswith(prefix):
            return word
    return 'string'  # NULL-only columns, lists …: not one of the types a verdict names


def corpus_files(corpus):
    for dirpath, _, names in os.walk(corpus):
        for name in sorted(names):
            if name.lower().endswith(SUFFIXES):
                yield os.path.relpath(os.path.join(dirpath, name), corpus)


def run(cmd, timeout):
    """(exit code or None on timeout, stdout, stderr, seconds)."""
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr, time.monotonic() - start
    except subprocess.TimeoutExpired:
        return None, b'', b'', time.monotonic() - start


DATASTORY = os.path.join(ROOT, 'build', 'datastory')


def read_ours(path, timeout):
    code, out, err, secs = run([DATASTORY, 'profile', '--json', path], timeout)
    result = {'code': code, 'seconds': round(secs, 3)}
    if code == 0:
        doc = json.loads(out)
        result['types'] = [OUR_TYPES[c['type']] for c in doc['columns']]
    else:
        result['error'] = err.decode('utf-8', 'replace').strip().splitlines()[-1:] or ['']
    return result


def read_duckdb(path, timeout):
    script = os.path.join(ROOT, 'bench', 'duckdb_types.cjs')
    code, out, err, secs = run(['node', script, path], timeout)
    result = {'code': code, 'seconds': round(secs, 3)}
    try:
        doc = json.loads(out)
    except ValueError:
        doc = {'error': err.decode('utf-8', 'replace').strip()[-200:] or 'no answer'}
    if 'columns' in doc:
        result['types'] = [duckdb_type(c['type']) for c in doc['columns']]
    else:
        result['error'] = doc['error']
    return result


def read_both(corpus, rel, cache, timeout):
    path = os.path.join(corpus, rel)
    with open(path, 'rb') as f:
        digest = hashlib.sha256(rel.encode() + b'\0' + f.read()).hexdigest()[:16]
    binary = f'{DATASTORY}@{os.path.getmtime(DATASTORY)}'
    key = os.path.join(cache, digest + '.json')
    if os.path.exists(key):
        with open(key) as f:
            cached = json.load(f)
        if cached.get('binary') == binary:
            return rel, cached
        duck = cached['duckdb']
    else:
        duck = read_duckdb(path, timeout)
    result = {'binary': binary, 'ours': read_ours(path, timeout), 'duckdb': duck}
    with open(key + '.tmp', 'w') as f:
        json.dump(result, f)
    os.replace(key + '.tmp', key)
    return rel, result


def load_verdicts(path):
    verdicts = {}
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if not line.strip() or line.startswith('#'):
                continue
            fields = line.rstrip('\n').split('\t')
            if len(fields) < 3 or fields[2] not in ('judged', 'excluded'):
                sys.exit(f'{path}:{number}: expected path<TAB>types<TAB>judged|excluded[<TAB>note]')
            if fields[2] == 'excluded':
                verdicts[fields[0]] = (None, 'excluded')
                continue
            columns = [set(entry.split('|')) for entry in fields[1].split()]
            for column in columns:
                if not column <= TYPES:
                    sys.exit(f'{path}:{number}: unknown type in {sorted(column - TYPES)}')
            verdicts[fields[0]] = (columns, fields[2])
    return verdicts


def score(types, columns):
    """How many of the verdict's columns a reader got right (none when the count is wrong)."""
    if types is None or len(types) != len(columns):
        return 0
    return sum(1 for got, right in zip(types, columns) if got in right)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('corpus')
    parser.add_argument('--verdicts', default=os.path.join(ROOT, 'bench', 'corpus', 'verdicts.tsv'))
    parser.add_argument('--cache', default='/tmp/corpus-types-cache')
    parser.add_argument('--timeout', type=float, default=30)
    parser.add_argument('--jobs', type=int, default=2)
    parser.add_argument('--datastory', help='the binary to score (default: build/datastory)')
    parser.add_argument('--disagreements', action='store_true')
    parser.add_argument('--only-verdicts', action='store_true',
                        help='read only the files that have a verdict')
    args = parser.parse_args()
    global DATASTORY
    if args.datastory:
        DATASTORY = os.path.abspath(args.datastory)
    os.makedirs(args.cache, exist_ok=True)
    verdicts = load_verdicts(args.verdicts) if os.path.exists(args.verdicts) else {}

    files = list(corpus_files(args.corpus))
    if args.only_verdicts:
        files = [f for f in files if f in verdicts]
    results = {}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for rel, result in pool.map(lambda r: read_both(args.corpus, r, args.cache, args.timeout), files):
            results[rel] = result

    if args.disagreements:
        for rel in files:
            ours, duck = results[rel]['ours'], results[rel]['duckdb']
            if ours.get('types') != duck.get('types') and rel not in verdicts:
                print(f"{rel}\tours={' '.join(ours.get('types', [])) or ours.get('error')}"
                      f"\tduckdb={' '.join(duck.get('types', [])) or duck.get('error')}")
        return

    crashes = [r for r in files if results[r]['ours']['code'] not in (0, 65, None)]
    hangs = [r for r in files if results[r]['ours']['code'] is None]
    slowest = max(files, key=lambda r: results[r]['ours']['seconds'])
    print(f'{len(files)} files read; DataStory: {len(crashes)} crashed, {len(hangs)} hung, '
          f"slowest {results[slowest]['ours']['seconds']:.2f} s ({slowest}), "
          f"{sum(1 for r in files if results[r]['ours']['code'] == 65)} refused with a reason")
    for r in crashes + hangs:
        print(f"  {r}: exit {results[r]['ours']['code']} {results[r]['ours'].get('error')}")

    judged = [r for r in files if r in verdicts and verdicts[r][1] != 'excluded']
    if not judged:
        return
    print(f"{sum(1 for r in files if verdicts.get(r, ('', ''))[1] == 'excluded')} files excluded "
          '(empty, a header alone, or not a table)')
    totals = {'ours': 0, 'duckdb': 0}
    files_right = {'ours': 0, 'duckdb': 0}
    columns = 0
    for rel in judged:
        right, _ = verdicts[rel]
        columns += len(right)
        for reader in totals:
            got = score(results[rel][reader].get('types'), right)
            totals[reader] += got
            files_right[reader] += got == len(right)
    print(f'{len(judged)} files judged by hand, {columns} columns')
    for reader, name in (('ours', 'DataStory'), ('duckdb', "DuckDB's sniffer")):
        print(f'  {name:17} {totals[reader]:5} of {columns} columns right, '
              f'{100 * totals[reader] / columns:.1f}%; every column right in '
              f'{files_right[reader]} of {len(judged)} files')
    print('Files where DataStory is wrong:')
    for rel in judged:
        right, _ = verdicts[rel]
        ours = results[rel]['ours']
        if score(ours.get('types'), right) < len(right):
            print(f"  {rel}: got {' '.join(ours.get('types', [])) or ours.get('error')}; right "
                  f"{' '.join('|'.join(sorted(c)) for c in right)}")


if __name__ == '__main__':
    main()
