/**
 * The Python program a `python` step runs (`python3 -c RUNNER DIR`). It reads `DIR/job.json`
 * (the code, the mode, the columns and their Sluice types) and `DIR/in.json` (the rows, as DuckDB
 * wrote them: a JSON array of objects, dates as days and timestamps as microseconds since
 * 1970-01-01), builds the DataFrame with explicit dtypes, runs the code, and writes
 * `DIR/out.jsonl` (one object per row, in the same encoding) and `DIR/out.json` (the columns and
 * types it found, notes). A failure writes `DIR/error.json` and exits with 3; no pandas, 4.
 *
 * Kept in a TypeScript string so that the build ships it without a copy step.
 */
export const RUNNER_SCRIPT = String.raw`
import ast, datetime, decimal, json, linecache, sys, traceback

D = sys.argv[1]
USER_FILE = '<python step>'

def fail(kind, message, line=None, tb=None, code=3):
    with open(D + '/error.json', 'w') as f:
        json.dump({'kind': kind, 'message': message, 'line': line, 'traceback': tb or []}, f)
    sys.exit(code)

try:
    import numpy as np
    import pandas as pd
except Exception as e:  # ImportError, or a broken install
    fail('no-pandas', '%s: %s' % (type(e).__name__, e), code=4)

with open(D + '/job.json') as f:
    job = json.load(f)
USER_FILE = job['label']
columns = job['columns']
with open(D + '/in.json') as f:
    rows = json.load(f)

EPOCH = np.datetime64('1970-01-01T00:00:00', 'us')

def to_series(values, t):
    if t == 'integer':
        return pd.array(values, dtype='Int64')
    if t == 'float':
        return pd.array([np.nan if v is None else v for v in values], dtype='float64')
    if t == 'boolean':
        return pd.array(values, dtype='boolean')
    if t in ('date', 'timestamp'):
        unit = 'D' if t == 'date' else 'us'
        try:
            return pd.to_datetime(pd.array(values, dtype='Int64'), unit=unit)
        except (OverflowError, ValueError, pd.errors.OutOfBoundsDatetime) as e:
            raise OutOfRange(str(e))
    return pd.array(values, dtype=object)

class OutOfRange(Exception):
    pass

data = {}
for c in columns:
    name = c['name']
    try:
        data[name] = to_series([r[name] for r in rows], c['type'])
    except OutOfRange as e:
        fail('input', 'column "%s" holds a %s outside the range pandas can hold (1677-09-21 to 2262-04-11): %s' % (name, c['type'], e))
df = pd.DataFrame(data, columns=[c['name'] for c in columns])
del rows, data

def user_line(tb):
    line = None
    for frame, lineno in traceback.walk_tb(tb):
        if frame.f_code.co_filename == USER_FILE:
            line = lineno
    return line

def last_lines(e):
    # The traceback from the user's code on (the runner's own frames left out), its last lines.
    # The user's frames are shown; the library frames below the last of them are only counted.
    frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename != '<string>']
    mine = [i for i, f in enumerate(frames) if f.filename == USER_FILE]
    shown = frames[: mine[-1] + 1] if mine else frames[-1:]
    lines = ['Traceback (most recent call last):'] + ''.join(traceback.format_list(shown)).rstrip('\n').split('\n')
    if len(frames) > len(shown):
        lines.append('  ... %d more frames in libraries' % (len(frames) - len(shown)))
    lines += ''.join(traceback.format_exception_only(type(e), e)).rstrip('\n').split('\n')
    return lines[-10:]

code = job['code']
linecache.cache[USER_FILE] = (len(code), None, code.splitlines(True), USER_FILE)
try:
    compiled = compile(code, USER_FILE, 'exec')
except SyntaxError as e:
    fail('syntax', '%s: %s' % (type(e).__name__, e.msg), e.lineno, ''.join(traceback.format_exception_only(type(e), e)).rstrip('\n').split('\n'))

def writes_df(tree):
    # Whether the code can change df: assigns the name, assigns into it, deletes from it, or
    # passes inplace=True to something. Code that does none of these leaves df as it was.
    def rooted_at_df(node):
        while isinstance(node, (ast.Subscript, ast.Attribute)):
            node = node.value
        return isinstance(node, ast.Name) and node.id == 'df'
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == 'df' and isinstance(node.ctx, (ast.Store, ast.Del)):
            return True
        if isinstance(node, (ast.Subscript, ast.Attribute)) and isinstance(node.ctx, (ast.Store, ast.Del)) and rooted_at_df(node):
            return True
        if isinstance(node, ast.keyword) and node.arg == 'inplace':
            return True
        if isinstance(node, ast.Global):
            return True
    return False

scope = {'__name__': '__sluice_step__', 'pd': pd, 'np': np}
mode = job['mode']
try:
    if mode == 'dataframe':
        scope['df'] = df
        before = None if writes_df(ast.parse(code)) else pd.util.hash_pandas_object(df).to_numpy().tobytes()
        exec(compiled, scope)
        if 'df' not in scope:
            fail('result', 'the code deleted the variable df; it must leave the result in df')
        result = scope['df']
        if before is not None and result is df and pd.util.hash_pandas_object(df).to_numpy().tobytes() == before:
            fail('result', 'the code never assigns df nor changes it, so the step would change nothing; assign the result to df (e.g. df = df.dropna(), not df.dropna())')
    else:
        exec(compiled, scope)
        fn = scope.get('custom_func')
        if not callable(fn):
            fail('result', 'the code defines no function custom_func; a user-defined function step calls custom_func(%s)' % ('series' if mode == 'series' else 'value'))
        col = job['column']
        if mode == 'series':
            out = fn(df[col].copy())
            if not isinstance(out, pd.Series):
                fail('result', 'custom_func returned %s, not a pandas Series' % type(out).__name__)
            if len(out) != len(df):
                fail('result', 'custom_func returned %d values for %d rows; the Series must be as long as its input' % (len(out), len(df)))
            out = pd.Series(out.array, index=df.index)
        else:
            values = df[col].astype(object).where(df[col].notna(), None)
            out = pd.Series([fn(v) for v in values], index=df.index, dtype=object)
        result = df
        result[job['output']] = out
except SystemExit:
    raise
except BaseException as e:
    fail('exception', '%s: %s' % (type(e).__name__, e), user_line(e.__traceback__), last_lines(e))

if not isinstance(result, pd.DataFrame):
    fail('result', 'the code left %s in df, not a pandas DataFrame' % type(result).__name__)

notes = []
if isinstance(result.index, pd.MultiIndex) or any(n is not None for n in result.index.names):
    notes.append('the index of the result (%s) is not kept; call df.reset_index() to keep it as columns' % ', '.join(str(n) for n in result.index.names))

names = [str(c) for c in result.columns]
seen = set()
for n in names:
    if n in seen:
        fail('result', 'the result has two columns named "%s"; give each column its own name' % n)
    seen.add(n)
input_types = {c['name']: c['type'] for c in columns}

def kind_of(values):
    kinds = set()
    for v in values:
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
            continue
        if isinstance(v, (bool, np.bool_)):
            kinds.add('boolean')
        elif isinstance(v, (int, np.integer)):
            kinds.add('integer')
        elif isinstance(v, (float, np.floating, decimal.Decimal)):
            kinds.add('float')
        elif isinstance(v, str):
            kinds.add('string')
        elif isinstance(v, (datetime.datetime, np.datetime64)):
            kinds.add('timestamp')
        elif isinstance(v, datetime.date):
            kinds.add('date')
        else:
            kinds.add(type(v).__name__)
    if kinds == {'integer', 'float'}:
        return {'float'}
    return kinds

def encode(name, s):
    """The column's Sluice type and its values as JSON-ready Python values (None for missing)."""
    dt = s.dtype
    if isinstance(dt, pd.CategoricalDtype):
        s = s.astype(object)
        dt = s.dtype
    if pd.api.types.is_bool_dtype(dt):
        return 'boolean', [None if v is pd.NA else bool(v) for v in s.astype(object)]
    if pd.api.types.is_integer_dtype(dt):
        vals = [None if v is pd.NA else int(v) for v in s.astype(object)]
        if any(v is not None and not (-(2**63) <= v < 2**63) for v in vals):
            fail('result', 'column "%s" holds an integer beyond 64 bits' % name)
        return 'integer', vals
    if pd.api.types.is_float_dtype(dt):
        return 'float', [None if (v is pd.NA or v != v) else float(v) for v in s.astype(object)]
    if pd.api.types.is_datetime64_any_dtype(dt):
        if getattr(dt, 'tz', None) is not None:
            s = s.dt.tz_convert('UTC').dt.tz_localize(None)
            notes.append('column "%s" had time zone %s; it is kept in UTC, without zone' % (name, dt.tz))
        ns = s.astype('int64')
        missing = s.isna()
        at_midnight = bool(((ns[~missing] % 86400000000000) == 0).all())
        if input_types.get(name) == 'date' and at_midnight:
            return 'date', [None if m else int(v // 86400000000000) for v, m in zip(ns, missing)]
        return 'timestamp', [None if m else int(v // 1000) for v, m in zip(ns, missing)]
    if pd.api.types.is_timedelta64_dtype(dt):
        fail('result', 'column "%s" holds durations (timedelta), which Sluice has no type for; convert them, e.g. df["%s"].dt.total_seconds()' % (name, name))
    if dt == object or pd.api.types.is_string_dtype(dt):
        values = list(s.astype(object))
        kinds = kind_of(values)
        if not kinds:
            t = input_types.get(name, 'string')
            return t, [None] * len(values)
        if len(kinds) > 1:
            fail('result', 'column "%s" mixes values of types %s; convert it to one type, e.g. df["%s"].astype(str)' % (name, ', '.join(sorted(kinds)), name))
        t = kinds.pop()
        def missing(v):
            return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v)
        if t == 'string':
            return 'string', [None if missing(v) else v for v in values]
        if t == 'boolean':
            return 'boolean', [None if missing(v) else bool(v) for v in values]
        if t == 'integer':
            return encode(name, pd.Series(pd.array([None if missing(v) else int(v) for v in values], dtype='Int64')))
        if t == 'float':
            return 'float', [None if missing(v) else float(v) for v in values]
        if t == 'timestamp':
            return encode(name, pd.Series(pd.to_datetime([None if missing(v) else v for v in values])))
        if t == 'date':
            if input_types.get(name) in (None, 'date'):
                input_types[name] = 'date'
            return 'date', [None if missing(v) else (v - datetime.date(1970, 1, 1)).days for v in values]
        fail('result', 'column "%s" holds %s values, which Sluice has no type for; convert them to text, numbers, booleans or dates' % (name, t))
    fail('result', 'column "%s" has dtype %s, which Sluice has no type for; convert it to text, numbers, booleans or dates' % (name, dt))

out_columns = []
out_values = []
for i, n in enumerate(names):
    t, vals = encode(n, result.iloc[:, i])
    out_columns.append({'name': n, 'type': t})
    out_values.append(vals)

with open(D + '/out.jsonl', 'w') as f:
    for row in zip(*out_values):
        f.write(json.dumps(dict(zip(names, row)), allow_nan=True))
        f.write('\n')
with open(D + '/out.json', 'w') as f:
    json.dump({'columns': out_columns, 'rows': len(result), 'notes': notes}, f)
`;
