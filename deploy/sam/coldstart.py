"""Measure a JVM Lambda package's cold start on this machine.

Plays the Lambda Runtime API on 127.0.0.1 for AWS's own Java runtime interface
client (com.amazonaws:aws-lambda-java-runtime-interface-client, the one the
managed java runtimes use), starts a fresh JVM on the unzipped function.zip,
hands it one API Gateway HTTP API (payload 2.0) event: POST /v1/captions with
an image, and reports the time from JVM launch to the function's response.
No SnapStart, no network download of the package: this is the upper bound a
restore avoids, on this machine's CPUs. It also reports the JVM's CPU time up
to init's end, all threads and the main one, which competing load does not
inflate, and estimates init at Lambda memory sizes from it; and the JVM's peak
RSS after the first response, which the function's memory must hold.

  python3 deploy/sam/coldstart.py target-lambda-http/function.zip IMAGE.png --runs 3 \\
      [--env ALIGNCAP_MODEL_PATH=/path/to/model]
"""

import argparse
import base64
import glob
import http.server
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import threading
import time
import zipfile

RIC = "com.amazonaws:aws-lambda-java-runtime-interface-client:2.10.1"
M2 = pathlib.Path.home() / ".m2" / "repository"


def ric_classpath():
    subprocess.run(["mvn", "-B", "-ntp", "-q", "dependency:get", f"-Dartifact={RIC}"], check=True)
    jars = [M2 / "com/amazonaws/aws-lambda-java-runtime-interface-client/2.10.1/aws-lambda-java-runtime-interface-client-2.10.1.jar"]
    for dep in ("aws-lambda-java-core", "aws-lambda-java-serialization"):
        found = sorted(glob.glob(str(M2 / "com/amazonaws" / dep / "*" / f"{dep}-*.jar")))
        if not found:
            sys.exit(f"{dep} not in {M2}: run mvn dependency:get for it")
        jars.append(pathlib.Path(found[-1]))
    return [str(j) for j in jars]


def event_for(image: pathlib.Path) -> bytes:
    body = base64.b64encode(image.read_bytes()).decode()
    return json.dumps({
        "version": "2.0", "routeKey": "$default", "rawPath": "/v1/captions", "rawQueryString": "",
        "headers": {"content-type": "image/png", "host": "localhost"},
        "requestContext": {"http": {"method": "POST", "path": "/v1/captions", "protocol": "HTTP/1.1",
                                    "sourceIp": "127.0.0.1", "userAgent": "coldstart"},
                           "requestId": "cold-1", "routeKey": "$default", "stage": "$default",
                           "timeEpoch": int(time.time() * 1000)},
        "body": body, "isBase64Encoded": True,
    }).encode()


def one_run(task_root, classpath, event, extra_env):
    done = threading.Event()
    result = {}

    class RuntimeApi(http.server.BaseHTTPRequestHandler):
        served = False

        def log_message(self, *args):
            pass

        def do_GET(self):
            if RuntimeApi.served:          # second `next`: the run is over
                done.wait(30)
                self.send_response(500)
                self.end_headers()
                return
            RuntimeApi.served = True
            result["first_next"] = time.monotonic()
            result["cpu"] = cpu_seconds(result["pid"])
            self.send_response(200)
            for k, v in {"Lambda-Runtime-Aws-Request-Id": "cold-1",
                         "Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + 60000),
                         "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:123456789012:function:aligncap",
                         "Lambda-Runtime-Trace-Id": "Root=1-0-0",
                         "Content-Type": "application/json"}.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(event)))
            self.end_headers()
            self.wfile.write(event)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            result["path"] = self.path
            result["body"] = body
            result["end"] = time.monotonic()
            self.send_response(202)
            self.end_headers()
            done.set()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RuntimeApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{server.server_address[1]}",
               LAMBDA_TASK_ROOT=str(task_root), AWS_LAMBDA_FUNCTION_NAME="aligncap",
               AWS_LAMBDA_FUNCTION_MEMORY_SIZE="2048", AWS_LAMBDA_FUNCTION_VERSION="1",
               AWS_REGION="us-east-1", _HANDLER="io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest",
               JAVA_TOOL_OPTIONS="-XX:+TieredCompilation -XX:TieredStopAtLevel=1", **extra_env)
    start = time.monotonic()
    proc = subprocess.Popen(["java", "-cp", classpath, "com.amazonaws.services.lambda.runtime.api.client.AWSLambda",
                             env["_HANDLER"]], env=env, cwd=task_root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    result["pid"] = proc.pid
    ok = done.wait(300)
    rss = peak_rss_mb(proc.pid)
    proc.kill()
    err = proc.communicate()[1].decode(errors="replace")
    server.shutdown()
    if not ok or not result["path"].endswith("/response"):
        sys.exit(f"no response (posted to {result.get('path')}): {result.get('body', b'')[:500]!r}\n{err[-2000:]}")
    response = json.loads(result["body"])
    return result["first_next"] - start, result["end"] - start, response.get("statusCode"), result["cpu"], rss


def peak_rss_mb(pid):
    """The JVM's peak resident memory so far (VmHWM), MB: what the function's memory must hold."""
    try:
        for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def cpu_seconds(pid):
    """CPU time of a process so far: (all threads, its busiest thread), seconds of user + system.

    Unlike wall time it does not grow when other work competes for the CPUs, so
    it estimates init on Lambda, where a function has its memory's share of
    vCPUs to itself: the busiest thread (the one running Quarkus' start-up)
    is serial work, the rest (JIT, GC) runs beside it.
    """
    tick = os.sysconf("SC_CLK_TCK")
    total = main = 0.0
    for stat in pathlib.Path(f"/proc/{pid}/task").glob("*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a thread that ended meanwhile
        t = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        total += t
        main = max(main, t)
    return total, main


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("function_zip")
    ap.add_argument("image")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--env", action="append", default=[], help="KEY=VALUE for the function")
    args = ap.parse_args()
    extra_env = dict(kv.split("=", 1) for kv in args.env)
    event = event_for(pathlib.Path(args.image))
    ric = ric_classpath()
    size = os.path.getsize(args.function_zip)
    cpus = []
    for i in range(args.runs):
        with tempfile.TemporaryDirectory() as task_root:
            t0 = time.monotonic()
            with zipfile.ZipFile(args.function_zip) as z:
                z.extractall(task_root)
            unzip = time.monotonic() - t0
            cp = ":".join([task_root, f"{task_root}/lib/*"] + ric)
            init, total, status, (cpu, main_cpu), rss = one_run(task_root, cp, event, extra_env)
            cpus.append((cpu, main_cpu))
            print(f"run {i + 1}: package {size / 1e6:.1f} MB, unzip {unzip:.2f} s, init {init:.2f} s, "
                  f"init + first POST /v1/captions {total:.2f} s (HTTP {status}); "
                  f"init CPU {cpu:.2f} s, {main_cpu:.2f} s of it on the busiest thread; peak RSS {rss:.0f} MB")
    # Lambda gives a function 1 vCPU per 1769 MB: init takes at least the busiest
    # thread's CPU time, and at least all threads' CPU time spread over the vCPUs.
    cpu, main_cpu = max(cpus)
    estimates = ", ".join(f"{mb} MB {max(main_cpu, cpu / (mb / 1769)):.1f} s" for mb in (1769, 2048, 3008, 3538))
    print(f"init estimate from the largest CPU time (no waiting on I/O counted): {estimates}")


if __name__ == "__main__":
    main()
