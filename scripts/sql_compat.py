"""Same schema, same rows, same queries on ClickHouse 18.16, on chDB, and on two 18.16
shards under a Distributed table (docs/scale-out.md); results compared."""
import json, os, sys, tempfile, urllib.error, urllib.parse, urllib.request

fx = json.load(open(sys.argv[1]))
old_url = sys.argv[2]  # ClickHouse 18.16, started by scripts/sql-compat
shards = sys.argv[3].split(",")  # two more, each a shard of fx["cluster"]
rows = "\n".join(json.dumps(r) for r in fx["rows"]) + "\n"
DB = fx["database"]

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
def old(sql, body=None, db=DB, url=old_url, **settings):
    q = {"query": sql, "database": db} if body is not None else {"database": db}
    q.update(settings)
    data = (body if body is not None else sql).encode()
    req = urllib.request.Request(f"{url}/?" + urllib.parse.urlencode(q), data=data,
                                 headers={"X-ClickHouse-User": "default",
                                          "X-ClickHouse-Key": os.environ["CH_PASSWORD"]})
    try:
        return urllib.request.urlopen(req, timeout=60).read().decode()
    except urllib.error.HTTPError as e:
        raise RuntimeError(f"18.16 refused: {e.read().decode()[:600]}") from None

old(f"CREATE DATABASE IF NOT EXISTS {DB}", db="default")
for st in fx["schema"]:
    old(st)
old("INSERT INTO events FORMAT JSONEachRow", body=rows)

# The shards: each gets what `atrium migrate` makes there; the rows go in through the
# Distributed table, as the collector sends them, and every query reads through it.
for url in shards:
    old(f"CREATE DATABASE IF NOT EXISTS {DB}", db="default", url=url)
    for st in fx["sharded_schema"]:
        old(st, url=url)
old("INSERT INTO events FORMAT JSONEachRow", body=rows, url=shards[0], insert_distributed_sync="1")

# Current engine, in process: one embedded server per process, so its configuration
# names the shards' cluster from the start (it never connects to it: below, the shards'
# tables are only created there).
import chdb.session as chs
with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as conf:
    replicas = "".join(f"<shard><replica><host>127.0.0.{i + 1}</host><port>9000</port></replica></shard>"
                       for i in range(len(shards)))
    conf.write(f"<clickhouse><remote_servers><{fx['cluster']}>{replicas}</{fx['cluster']}></remote_servers></clickhouse>")
sess = chs.Session(f"{tempfile.mkdtemp()}/db?config-file={conf.name}")
sess.query(f"CREATE DATABASE IF NOT EXISTS {DB}")
sess.query(f"USE {DB}")
for st in fx["schema"]:
    sess.query(st)
sess.query("INSERT INTO events FORMAT JSONEachRow " + rows)
version = str(sess.query("SELECT version()", "CSV")).strip()

checks = failed = 0
def check(ok, line):
    global checks, failed
    checks += 1
    failed += not ok
    print(f"{'ok  ' if ok else 'FAIL'} {line}")

# The shards' DDL on the current engine too, in a database of its own.
try:
    sess.query(f"CREATE DATABASE IF NOT EXISTS {DB}_shard")
    sess.query(f"USE {DB}_shard")
    for st in fx["sharded_schema"]:
        sess.query(st)
    engine = str(sess.query("SELECT engine FROM system.tables WHERE database = currentDatabase() AND name = 'events'", "CSV")).strip()
    check(engine == '"Distributed"', f"the shards' DDL on {version}: events is {engine}")
except Exception as e:
    check(False, f"the shards' DDL on {version}: {e}")
finally:
    sess.query(f"USE {DB}")

# One tenant's events on one shard, and every shard holding some.
on = [set(old("SELECT DISTINCT tenant FROM events_local FORMAT TSV", url=u).split()) for u in shards]
spread = all(on) and all(not (a & b) for i, a in enumerate(on) for b in on[i + 1:])
check(spread, f"tenants per shard: {[sorted(t) for t in on]}")

for name, sql in fx["queries"].items():
    try:
        a = [json.loads(l) for l in old(sql + " FORMAT JSONEachRow").splitlines() if l]
        b = [json.loads(l) for l in str(sess.query(sql, "JSONEachRow")).splitlines() if l]
        c = [json.loads(l) for l in old(sql + " FORMAT JSONEachRow", url=shards[0]).splitlines() if l]
    except Exception as e:  # any engine refusing the SQL is this query's failure
        check(False, f"{name}: {e}")
        continue
    same = norm(a) == norm(b) == norm(c)
    check(same, f"{name}: {len(a)} rows on 18.16, {len(b)} rows on {version}, {len(c)} over {len(shards)} shards")
    if not same:
        print("  18.16: ", a[:5]); print("  new:   ", b[:5]); print("  shards:", c[:5])
print(f"{checks - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
