"""compose.yaml and deploy/k8s run as written: one writer, readers that only read, edits reach every reader.

Each kb service is started as a local process with exactly its container's environment (see
`local_services.py`: Dockerfile ENV + the service's own, absolute paths inside a per-replica root where only
its mounts exist). Both deployments name a MongoDB server, and no MongoDB can run here: every `mongodb://`
URL is mapped to ONE shared SQLite file, which the readers open read-only (`mode=ro`). The writer's checkout
is a folder of notes made here (k8s: `/git/current` a symlink to it, as git-sync leaves it).
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from local_services import Cluster, Replica, Service, image_healthcheck, local_healthcheck, services

from kbsync.roles import resolve_role
from kbsync.settings import Settings

REACH_WITHIN = 2.0  # seconds from an edit the writer sees to every reader answering with it
START_WITHIN = 90.0  # a loaded 2-core box starting several Python servers at once


def note(title: str, word: str) -> str:
    return f"---\ntitle: {title}\ntags: [deploy]\n---\n# {title}\n\nA note about {word}.\n"


def roles(deployment: str) -> tuple[Service, Service]:
    """(the writer, the reader service) of a deployment, by what their environment says."""
    svcs = services(deployment)
    readers = [s for s in svcs if s.env.get("KB_ROLE") == "reader"]
    writers = [s for s in svcs if s not in readers]
    assert len(writers) == 1 and len(readers) == 1, [s.name for s in svcs]
    return writers[0], readers[0]


def revision(db: Path) -> int:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return int(con.execute("SELECT value FROM meta WHERE key='revision'").fetchone()[0])
    finally:
        con.close()


def digest(db: Path) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest()


def get(rep: Replica, path: str) -> httpx.Response | None:
    try:
        return httpx.get(rep.url + path, timeout=5)
    except httpx.TransportError:
        return None


def alive(rep: Replica) -> None:
    assert rep.proc.poll() is None, f"{rep.service.name}[{rep.index}] exited {rep.proc.returncode}:\n{rep.logs()}"


def wait_ready(reps: list[Replica], timeout: float = START_WITHIN) -> None:
    deadline = time.monotonic() + timeout
    for rep in reps:
        while True:
            alive(rep)
            r = get(rep, "/api/ready")
            if r is not None and r.status_code == 200:
                break
            assert time.monotonic() < deadline, f"{rep.service.name}[{rep.index}] not ready:\n{rep.logs()[-3000:]}"
            time.sleep(0.1)


def wait_listening(reps: list[Replica], timeout: float = START_WITHIN) -> None:
    deadline = time.monotonic() + timeout
    for rep in reps:
        while get(rep, "/api/health") is None:
            alive(rep)
            assert time.monotonic() < deadline, rep.logs()[-3000:]
            time.sleep(0.1)


def hits(rep: Replica, word: str) -> list[str]:
    r = get(rep, f"/api/search?q={word}")
    return [h["slug"] for h in r.json()["hits"]] if r is not None and r.status_code == 200 else []


@pytest.fixture
def cluster(tmp_path: Path):
    c = Cluster(tmp_path)
    yield c
    c.stop_all()


def checkout(deployment: str, cluster: Cluster, writer: Service) -> Path:
    """Lay out the writer's content where its KB_CONTENT_DIR points, with two notes."""
    if deployment == "compose":
        content = cluster.volume("content")
    else:  # git-sync: /git/current -> a checkout; the writer's pod volume `git` holds both
        git = cluster.volume(cluster.pod_volume(writer, 0, "git"))
        (git / "rev1").mkdir()
        (git / "current").symlink_to(git / "rev1", target_is_directory=True)
        rel = writer.env["KB_CONTENT_DIR"]
        assert rel.startswith("/git/current/"), rel
        content = git / "rev1" / rel.removeprefix("/git/current/")
    content.mkdir(parents=True, exist_ok=True)
    (content / "home.md").write_text(note("Home", "zqhome") + "\nSee [[Other]].\n", encoding="utf-8")
    (content / "other.md").write_text(note("Other", "zqother"), encoding="utf-8")
    return content


@pytest.mark.parametrize("deployment", ["compose", "k8s"])
def test_one_writer_and_read_only_replicas(deployment, cluster):
    writer, reader = roles(deployment)
    content = checkout(deployment, cluster, writer)
    db = cluster.store

    # readers started alone: up, not ready (no store yet), and they create none
    readers = [cluster.start(reader, i) for i in range(reader.replicas)]
    assert len(readers) >= 2
    wait_listening(readers)
    for rep in readers:
        assert get(rep, "/api/ready").status_code == 503
        assert not files(rep.local(rep.service.env["KB_CONTENT_DIR"]))  # no content mounted
    time.sleep(1.0)  # two refresh polls
    assert not db.exists(), "a reader created the store"

    # the writer creates and fills it; every reader becomes ready at its revision
    w = cluster.start(writer)
    wait_ready(readers)  # ready may come at revision 0, the empty store, before the first sync commits
    deadline = time.monotonic() + START_WITHIN
    while not all(hits(rep, "zqother") == ["other"] for rep in readers):
        alive(w)
        assert time.monotonic() < deadline, w.logs()[-3000:]
        time.sleep(0.1)
    # the writer may still be starting its watcher (after the first site build): an untimed edit first
    (content / "warm.md").write_text(note("Warm", "zqwarm"), encoding="utf-8")
    while not all(hits(rep, "zqwarm") == ["warm"] for rep in readers):
        alive(w)
        assert time.monotonic() < deadline, w.logs()[-3000:]
        time.sleep(0.1)
    first = revision(db)

    # an edit the writer sees (commits: the revision moves) reaches every reader within REACH_WITHIN
    (content / "fresh.md").write_text(note("Fresh", "zqfresh"), encoding="utf-8")
    t0 = time.monotonic()
    committed: float | None = None
    seen: dict[int, float] = {}
    while len(seen) < len(readers) and time.monotonic() - t0 < START_WITHIN:
        if committed is None and revision(db) > first:
            committed = time.monotonic()
        for i, rep in enumerate(readers):
            if i not in seen and hits(rep, "zqfresh") == ["fresh"]:
                seen[i] = time.monotonic()
        time.sleep(0.05)
    assert committed is not None and len(seen) == len(readers), (seen, w.logs()[-3000:])
    for i, when in sorted(seen.items()):
        print(f"{deployment} reader {i}: edit visible {when - t0:.2f}s after the file write, "
              f"{when - committed:.2f}s after the writer's commit ({committed - t0:.2f}s)")
        assert when - committed <= REACH_WITHIN, (i, when - committed)

    # the writer stops cleanly; then the readers, still answering, leave the store byte for byte as it is
    assert w.stop() == 0, w.logs()[-3000:]
    before, rev = digest(db), revision(db)
    for _ in range(3):
        for rep in readers:
            assert hits(rep, "zqfresh") == ["fresh"]
            assert get(rep, "/api/ready").status_code == 200
        time.sleep(0.5)
    assert (digest(db), revision(db)) == (before, rev), "a reader wrote the store"

    # the health checks the files run pass against every reader, as written (port mapped)
    for rep in readers:
        for check in [image_healthcheck(), *([reader.healthcheck] if reader.healthcheck else [])]:
            assert subprocess.run(local_healthcheck(check, rep.port), timeout=30).returncode == 0, check
        for path in reader.probes:
            assert get(rep, path).status_code == 200, path
        alive(rep)


def test_compose_readers_serve_the_site_the_writer_builds(cluster):
    writer, reader = roles("compose")
    checkout("compose", cluster, writer)
    w = cluster.start(writer)
    rep = cluster.start(reader)
    wait_ready([rep])
    deadline = time.monotonic() + START_WITHIN
    while True:
        r = get(rep, "/other/")
        if r is not None and r.status_code == 200 and "Other" in r.text:
            break
        alive(w)
        assert time.monotonic() < deadline, w.logs()[-3000:]
        time.sleep(0.2)
    assert not files(rep.local(reader.env["KB_CONTENT_DIR"]))  # the reader has no content


def files(folder: Path) -> list[Path]:
    return list(folder.iterdir()) if folder.is_dir() else []


def test_k8s_api_pod_starts_without_git(cluster):
    """Regression: the API pod exited 2 ("content folder /git/current/content does not exist")."""
    (api,) = [s for s in services("k8s") if s.name == "k8s/kb-api"]
    assert "/git" not in api.mounts
    rep = cluster.start(api)
    wait_listening([rep])
    time.sleep(0.5)
    alive(rep)
    assert get(rep, "/api/health").json()["status"] == "starting"  # waiting for the writer's store


def role_of(svc: Service, monkeypatch: pytest.MonkeyPatch) -> str:
    """What a kb container does, from its command and exactly its environment: writer, reader or all."""
    for key in [k for k in os.environ if k.startswith("KB_")]:
        monkeypatch.delenv(key)
    for key, value in svc.env.items():
        monkeypatch.setenv(key, value)
    if svc.command[:2] == ["kb", "sync"]:
        return "writer" if "--watch" in svc.command else "once"
    assert svc.command[:2] == ["kb", "serve"], svc.command
    return resolve_role(Settings())


@pytest.mark.parametrize("deployment", ["compose", "k8s"])
def test_exactly_one_writer_and_no_replica_writes(deployment, monkeypatch):
    """Regression: every API replica was a writer (`kb serve` synced at start and watched by default)."""
    found = {svc.name: (role_of(svc, monkeypatch), svc.replicas) for svc in services(deployment)}
    writers = {name: r for name, (role, r) in found.items() if role in ("writer", "all")}
    assert list(writers.values()) == [1], found  # one writer service, one replica
    assert all(role == "reader" for name, (role, _) in found.items() if name not in writers), found
    assert any(replicas >= 2 for role, replicas in found.values() if role == "reader"), found
    for svc in services(deployment):
        if found[svc.name][0] == "reader":  # mounts nothing writable but its own scratch space
            shared = {t for t, vol in svc.mounts.items() if not vol.startswith("pod:")}
            assert shared <= svc.volumes_ro, (svc.name, shared - svc.volumes_ro)
            assert "content" not in svc.mounts.values() and "/git" not in svc.mounts, svc.name
