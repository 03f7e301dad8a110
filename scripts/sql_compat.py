"""Same schema, same rows, same queries on ClickHouse 18.16 and chDB; results compared."""
import json, os, sys, urllib.error, urllib.parse, urllib.request

fx = json.load(open(sys.argv[1]))
old_url = sys.argv[2]  # ClickHouse 18.16, started by scripts/sql-compat
rows = "\n".join(json.dumps(r) for r in fx["rows"]) + "\n"

def norm(result):
    """Rows as sorted tuples; numbers compared as rounded floats whatever their JSON type."""
    def v(x):
        if isinstance(x, list):
            return json.dumps([v(i) for i in x])
        if isinstance(x, (int, float)):
            return round(float(x), 6)
        if isinstance(x, str):
            try:
                return round(float(x), 6)
            except ValueError:
                return x
        return json.dumps(x)
    return sorted(tuple((k, v(val)) for k, val in sorted(r.items())) for r in result)

# ClickHouse 18.16.
def old(sql, body=None, db="compat"):
    q = {"query": sql, "database": db} if body is not None else {"database": db}
    data = (body if body is not None else sql).encode()
    req = urllib.request.Request(f"{old_url}/?" + urllib.parse.urlencode(q), data=data,
                                 headers={"X-ClickHouse-User": "default",
                                          "X-ClickHouse-Key": os.environ["CH_PASSWORD"]})
    try:
        return urllib.request.urlopen(req, timeout=60).read().decode()
    except urllib.error.HTTPError as e:
        raise RuntimeError(f"18.16 refused: {e.read().decode()[:600]}") from None

old("CREATE DATABASE IF NOT EXISTS compat", db="default")
for st in fx["schema"]:
    old(st)
old("INSERT INTO events FORMAT JSONEachRow", body=rows)

# Current engine, in process.
import chdb.session as chs
sess = chs.Session()
sess.query("CREATE DATABASE IF NOT EXISTS compat")
sess.query("USE compat")
for st in fx["schema"]:
    sess.query(st)
sess.query("INSERT INTO events FORMAT JSONEachRow " + rows)
version = str(sess.query("SELECT version()", "CSV")).strip()

failed = 0
for name, sql in fx["queries"].items():
    try:
        a = [json.loads(l) for l in old(sql + " FORMAT JSONEachRow").splitlines() if l]
        b = [json.loads(l) for l in str(sess.query(sql, "JSONEachRow")).splitlines() if l]
    except Exception as e:  # either engine refusing the SQL is this query's failure
        failed += 1
        print(f"FAIL {name}: {e}")
        continue
    same = norm(a) == norm(b)
    failed += not same
    print(f"{'ok  ' if same else 'DIFF'} {name}: {len(a)} rows on 18.16, {len(b)} rows on {version}")
    if not same:
        print("  18.16:", a[:5]); print("  new:  ", b[:5])
print(f"{len(fx['queries']) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
