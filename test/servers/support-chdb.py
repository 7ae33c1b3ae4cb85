"""ClickHouse's engine (chDB) behind a loopback HTTP port, for tier-2 tests.

  python support-chdb.py serve <data dir> <port file>
      One chDB session on <data dir>, answering POST / with JSON {"query", "database", "format"}:
      200 and the output, or 500 and the error. Writes its port to <port file> once listening.
  python support-chdb.py client [clickhouse-client arguments]
      A stand-in for clickhouse-client (the arguments the platform's scripts pass: --host, --port,
      --user, --password, --database, --format, --query). Sends the query to the engine whose port
      is in $CHDB_PORT_FILE and logs the connection arguments to $CHDB_CALLS, so the test can
      check they name the declared server and credentials. chDB has no users: it checks none.
"""
import json
import os
import sys
import urllib.error
import urllib.request


def serve(data_dir, port_file):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    import threading
    import chdb.session

    session = chdb.session.Session(data_dir)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            try:
                with lock:
                    session.query("USE `%s`" % (body.get("database") or "default"))
                    out = session.query(body["query"], body.get("format") or "TabSeparated")
                data, status = out.bytes() if hasattr(out, "bytes") else bytes(out), 200
            except Exception as e:  # chDB raises its server's error text
                data, status = str(e).encode(), 500
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(port_file + ".partial", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(port_file + ".partial", port_file)
    server.serve_forever()


def client(argv):
    opts = {"format": "TabSeparated", "database": "default"}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a.startswith("--") and "=" in a:
            k, v = a[2:].split("=", 1)
            i += 1
        elif a.startswith("--"):
            k, v = a[2:], argv[i + 1]
            i += 2
        else:
            sys.exit("clickhouse-client stand-in: unexpected argument %r" % a)
        if k not in ("host", "port", "user", "password", "database", "format", "query"):
            sys.exit("clickhouse-client stand-in: unsupported option --%s" % k)
        opts[k] = v
    if "query" not in opts:
        sys.exit("clickhouse-client stand-in: --query is required")
    calls = os.environ.get("CHDB_CALLS")
    if calls:
        with open(calls, "a") as f:
            f.write(json.dumps({k: opts.get(k) for k in ("host", "port", "user", "password", "database", "query")}) + "\n")
    fmt = {"TSV": "TabSeparated"}.get(opts["format"], opts["format"])
    port = open(os.environ["CHDB_PORT_FILE"]).read().strip()
    req = urllib.request.Request(
        "http://127.0.0.1:%s/" % port,
        data=json.dumps({"query": opts["query"], "database": opts["database"], "format": fmt}).encode(),
        method="POST",
    )
    try:
        with urllib.request.urlopen(req) as r:
            sys.stdout.buffer.write(r.read())
    except urllib.error.HTTPError as e:
        sys.stderr.write("Code: error. %s\n" % e.read().decode())
        sys.exit(1)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "client":
        client(sys.argv[2:])
    else:
        sys.exit("usage: support-chdb.py serve <dir> <port file> | client [args]")
