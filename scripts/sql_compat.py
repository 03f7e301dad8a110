"""Same schema, same rows, same queries on ClickHouse 18.16 and chDB; results compared."""
import json, os, socket, subprocess, sys, time, urllib.parse, urllib.request

tmp = sys.argv[1]
fx = json.load(open(os.path.join(tmp, "fixture.json")))
rows = "\n".join(json.dumps(r) for r in fx["rows"]) + "\n"

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def statements(sql):
    out, cur = [], []
    for line in sql.splitlines():
        t = line.strip()
        if not t or t.startswith("--"):
            continue
        cur.append(line)
        if t.endswith(";"):
            out.append("\n".join(cur).strip().rstrip(";")); cur = []
    if cur:
        out.append("\n".join(cur).strip())
    return out

def norm(result):
    """Rows as sorted tuples; numbers compared as rounded floats whatever their JSON type."""
    def v(x):
        if isinstance(x, (int, float)):
            return round(float(x), 6)
        if isinstance(x, str):
            try:
                return round(float(x), 6)
            except ValueError:
                return x
        return json.dumps(x)
    return sorted(tuple((k, v(val)) for k, val in sorted(r.items())) for r in result)

# ClickHouse 18.16, private server.
http, tcp = free_port(), free_port()
for d in ("data", "tmp", "log", "user_files"):
    os.makedirs(os.path.join(tmp, d), exist_ok=True)
open(os.path.join(tmp, "users.xml"), "w").write(open("/etc/clickhouse-server/users.xml").read())
open(os.path.join(tmp, "config.xml"), "w").write(f"""<yandex>
<logger><level>warning</level><log>{tmp}/log/s.log</log><errorlog>{tmp}/log/e.log</errorlog><console>0</console></logger>
<http_port>{http}</http_port><tcp_port>{tcp}</tcp_port><listen_host>127.0.0.1</listen_host>
<path>{tmp}/data/</path><tmp_path>{tmp}/tmp/</tmp_path><user_files_path>{tmp}/user_files/</user_files_path>
<users_config>{tmp}/users.xml</users_config><default_profile>default</default_profile><default_database>default</default_database>
<timezone>UTC</timezone><mark_cache_size>268435456</mark_cache_size></yandex>""")
server = subprocess.Popen(["clickhouse-server", f"--config-file={tmp}/config.xml"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

def old(sql, body=None, db="compat"):
    q = {"query": sql, "database": db} if body is not None else {"database": db}
    data = (body if body is not None else sql).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{http}/?" + urllib.parse.urlencode(q), data=data)
    return urllib.request.urlopen(req, timeout=60).read().decode()

for _ in range(300):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{http}/ping", timeout=1); break
    except Exception:
        time.sleep(0.1)
old("CREATE DATABASE IF NOT EXISTS compat", db="default")
for m in fx["schema"]:
    for st in statements(m):
        old(st)
old("INSERT INTO events FORMAT JSONEachRow", body=rows)

# Current engine, in process.
import chdb.session as chs
sess = chs.Session()
sess.query("CREATE DATABASE IF NOT EXISTS compat")
sess.query("USE compat")
for m in fx["schema"]:
    for st in statements(m):
        sess.query(st)
sess.query("INSERT INTO events FORMAT JSONEachRow " + rows)
version = str(sess.query("SELECT version()", "CSV")).strip()

failed = 0
for name, sql in fx["queries"].items():
    a = [json.loads(l) for l in old(sql + " FORMAT JSONEachRow").splitlines() if l]
    b = [json.loads(l) for l in str(sess.query(sql, "JSONEachRow")).splitlines() if l]
    same = norm(a) == norm(b)
    failed += not same
    print(f"{'ok  ' if same else 'DIFF'} {name}: {len(a)} rows on 18.16, {len(b)} rows on {version}")
    if not same:
        print("  18.16:", a[:5]); print("  new:  ", b[:5])
server.terminate(); server.wait(timeout=30)
print(f"{len(fx['queries']) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
