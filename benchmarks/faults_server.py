"""kill -9 of the server and the task worker during a dataset ingest and during case submissions.

    .venv/bin/python benchmarks/faults_server.py

Production profile on a fresh PostgreSQL database. 1) `civicbuy setup` loads the demo city's dataset; a new
version of it (20,000 processes) is then queued for the task worker, as an upload would be; once the worker reports
it running, every process of `civicbuy serve` (gunicorn master, its workers, the task worker) gets SIGKILL. The
server is started again; the script records what the job becomes (failed or resumed), that the dataset still shows
its previous version, and that no folder of the killed job is left. 2) Case submissions are posted while the
gunicorn workers are killed mid-way; after restart every submission answered with a redirect must be stored with
its draft, and no draft may exist without its submission record (the all-or-nothing transaction).
Writes benchmarks/out/faults_server.json.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from tests.casestudies.factories import submission_data  # noqa: E402

CIVICBUY = str(Path(sys.executable).parent / "civicbuy")
PG = "postgres://postgres@127.0.0.1:5432"
PORT = 18733
#: Queues a 20,000-process ingest of the demo dataset for the task worker, as the upload view does.
QUEUE_INGEST = """
import django
django.setup()
from civicbuy.analytics import synthetic
from civicbuy.dashboard import jobs, setup, storage
from civicbuy.dashboard.models import IngestJob
job = IngestJob.objects.create(dataset=setup.demo_dataset(), file_name="city-20000.jsonl")
synthetic.write_jsonl(storage.upload_path(job), 20000, seed=7)
jobs.ingest_dataset.enqueue(job.pk)
"""


def psql(database: str, sql: str) -> str:
    return subprocess.run(
        ["psql", f"{PG}/{database}", "-qtAc", sql], capture_output=True, text=True, check=True
    ).stdout.strip()


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def serve(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("ab")
    server = subprocess.Popen(
        [CIVICBUY, "serve", "--port", str(PORT), "--workers", "2"], env=env, stdout=handle, stderr=handle
    )
    for _ in range(240):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
            connection.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.5)
    raise SystemExit("server did not start")


def kill_all(server: subprocess.Popen[bytes]) -> int:
    pids = [server.pid, *descendants(server.pid)]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    server.wait()
    return len(pids)


def submit(title: str, results: list[tuple[str, int]]) -> None:
    headers = {
        "X-Forwarded-Proto": "https",
        "Origin": f"https://127.0.0.1:{PORT}",
        "Referer": f"https://127.0.0.1:{PORT}/",
    }
    try:
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        connection.request("GET", "/en/case-studies/submit/", headers=headers)
        response = connection.getresponse()
        page = response.read().decode()
        cookie = response.getheader("Set-Cookie", "")
        csrf_cookie = re.search(r"(__Secure-)?csrftoken=([^;]+)", cookie)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if not (csrf_cookie and token):
            results.append((title, -1))
            return
        body = urlencode({**submission_data(title=title), "csrfmiddlewaretoken": token.group(1)}, doseq=True)
        connection.request(
            "POST",
            "/en/case-studies/submit/",
            body=body,
            headers={
                **headers,
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={csrf_cookie.group(2)}",
            },
        )
        results.append((title, connection.getresponse().status))
    except (OSError, http.client.HTTPException):
        results.append((title, 0))


def main() -> None:  # noqa: PLR0915 - one linear scenario, step by step
    database = f"civicbuy_faults_{os.getpid()}"
    data = HERE / "out" / "faults-server"
    subprocess.run(["rm", "-rf", str(data)], check=True)
    data.mkdir(parents=True)
    psql("postgres", f"CREATE DATABASE {database}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CIVICBUY_", "DATABASE_URL"))}
    env.update(
        CIVICBUY_ENV="production",
        CIVICBUY_DATA_DIR=str(data),
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"{PG}/{database}",
    )
    log = data / "server.log"
    result: dict[str, object] = {}
    try:
        subprocess.run([CIVICBUY, "setup"], env=env, check=True, capture_output=True)
        before = psql(database, "select current_job_id from dashboard_dataset")
        subprocess.run(
            [sys.executable, "-c", QUEUE_INGEST],
            env={**env, "DJANGO_SETTINGS_MODULE": "civicbuy.config.settings"},
            check=True,
            capture_output=True,
        )
        server = serve(env, log)
        for _ in range(600):
            status = psql(
                database, "select status || ' ' || percent from dashboard_ingestjob order by id desc limit 1"
            )
            if status.startswith("running"):
                break
            time.sleep(0.5)
        time.sleep(1)  # the engine is reading and writing its new version
        result["ingest_before_kill"] = psql(database, "select status, stage, percent from dashboard_ingestjob")
        result["processes_killed_during_ingest"] = kill_all(server)
        result["dataset_version_before"] = before
        result["dataset_version_after_kill"] = psql(database, "select current_job_id from dashboard_dataset")
        server = serve(env, log)
        deadline = time.monotonic() + 420
        while time.monotonic() < deadline:
            # The dashboard notices a dead worker's job (stale heartbeat) when its page is shown.
            with contextlib.suppress(OSError, http.client.HTTPException):
                connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
                connection.request("GET", "/en/dashboard/", headers={"X-Forwarded-Proto": "https"})
                connection.getresponse().read()
            state = psql(database, "select status from dashboard_ingestjob order by id desc limit 1")
            if state in {"failed", "succeeded", "cancelled"}:
                break
            time.sleep(2)
        result["ingest_after_restart"] = psql(
            database, "select id, status, stage, percent, message from dashboard_ingestjob order by id"
        )
        result["dataset_version_after_restart"] = psql(database, "select current_job_id from dashboard_dataset")
        killed = psql(database, "select key from dashboard_ingestjob order by id desc limit 1")
        result["files_of_killed_job_left"] = sorted(str(p.relative_to(data)) for p in data.rglob(f"*{killed}*"))

        answers: list[tuple[str, int]] = []
        threads = [
            threading.Thread(target=submit, args=(f"Fault test case {i} about school meals", answers))
            for i in range(5)
        ]
        for thread in threads:
            thread.start()
            time.sleep(0.3)
        time.sleep(0.5)
        workers = [
            pid
            for pid in descendants(server.pid)
            if "gunicorn" in Path(f"/proc/{pid}/cmdline").read_text(errors="ignore")
        ]
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        for thread in threads:
            thread.join(timeout=120)
        kill_all(server)
        server = serve(env, log)
        stored = psql(database, "select title from casestudies_casesubmission order by title").splitlines()
        drafts = psql(
            database,
            "select count(*) from casestudies_casestudypage c join wagtailcore_page p on p.id = c.page_ptr_id "
            "where not p.live and p.title like 'Fault test case%'",
        )
        orphans = psql(
            database,
            "select count(*) from casestudies_casestudypage c join wagtailcore_page p on p.id = c.page_ptr_id "
            "where not p.live and p.title like 'Fault test case%' and c.page_ptr_id not in "
            "(select page_id from casestudies_casesubmission where page_id is not null)",
        )
        redirected = [title for title, status in answers if status == 302]
        result.update(
            submissions_answers=sorted(answers),
            gunicorn_workers_killed=len(workers),
            submissions_stored=stored,
            redirected_but_lost=[t for t in redirected if t not in stored],
            drafts=int(drafts),
            drafts_without_submission=int(orphans),
        )
        kill_all(server)
    finally:
        psql("postgres", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    (HERE / "out" / "faults_server.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
