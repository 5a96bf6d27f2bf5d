"""The kb services of compose.yaml and deploy/k8s, read as written, and run as local processes.

A container's environment is the Dockerfile's runtime `ENV` plus what the service sets (compose `environment`
with `${VAR:-default}` taken at its default; k8s `envFrom` ConfigMaps then `env`). Locally, each replica gets a
root folder of its own: the Dockerfile's `WORKDIR` and `mkdir -p` folders exist in it, and each mount is a
symlink to a shared volume folder (per-pod `emptyDir` volumes are per replica). Every absolute path in the
environment is taken inside that root, so a path the service does not mount does not exist, as in a container.
"""
from __future__ import annotations

import json
import re
import shlex
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
IMAGE = {"kb:local", "kb"}  # compose's built image; the k8s image name the kustomization pins
KB_BIN = Path(sys.executable).with_name("kb")  # the console script `pip install .` makes, as in the image


# -- the Dockerfile's runtime stage -------------------------------------------------------------------------

def dockerfile_lines() -> list[str]:
    """Instructions of the Dockerfile, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]


def runtime_stage() -> list[str]:
    lines = dockerfile_lines()
    last_from = max(i for i, ln in enumerate(lines) if ln.upper().startswith("FROM "))
    return lines[last_from:]


def instruction(name: str, lines: list[str] | None = None) -> list[str]:
    return [ln.split(None, 1)[1] for ln in (lines or dockerfile_lines()) if ln.split(None, 1)[0].upper() == name]


def image_env() -> dict[str, str]:
    """`ENV K=V K2=V2` lines of the runtime stage (PATH is the host's locally)."""
    env: dict[str, str] = {}
    for line in instruction("ENV", runtime_stage()):
        for word in shlex.split(line):
            key, _, value = word.partition("=")
            env[key] = value
    env.pop("PATH", None)
    return env


def image_cmd() -> list[str]:
    return json.loads(instruction("CMD", runtime_stage())[-1])


def image_healthcheck() -> list[str]:
    """The HEALTHCHECK's exec-form command."""
    check = instruction("HEALTHCHECK", runtime_stage())[-1]
    return json.loads(check.split("CMD", 1)[1])


def image_workdir() -> str:
    return instruction("WORKDIR", runtime_stage())[-1]


def image_dirs() -> list[str]:
    """Folders the runtime stage creates (`mkdir -p ...`)."""
    dirs: list[str] = []
    for run in instruction("RUN", runtime_stage()):
        for part in run.split("&&"):
            words = shlex.split(part)
            if words[:2] == ["mkdir", "-p"]:
                dirs += words[2:]
    return dirs


# -- services ------------------------------------------------------------------------------------------------

@dataclass
class Service:
    """One kb container as its deployment file describes it."""

    name: str  # compose/<service> or k8s/<deployment>
    command: list[str]
    env: dict[str, str]  # as the container sees it: image ENV + the service's own
    mounts: dict[str, str]  # container path -> volume ("pod:" prefix: one per replica)
    replicas: int
    healthcheck: list[str] | None = None  # exec-form command, compose only
    volumes_ro: set[str] = field(default_factory=set)
    probes: list[str] = field(default_factory=list)  # k8s httpGet probe paths

    @property
    def serves_http(self) -> bool:
        return self.command[:2] == ["kb", "serve"] and self.env.get("KB_ROLE", "all") != "writer"


def interpolate(value: object) -> str:
    """Compose's `${VAR:-default}` / `${VAR}` with nothing set in the environment."""
    return re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-([^}]*))?\}", lambda m: m.group(1) or "", str(value))


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def compose_services() -> list[Service]:
    out = []
    for name, svc in compose()["services"].items():
        if svc.get("image") not in IMAGE and "build" not in svc:
            continue
        env = {**image_env(), **{k: interpolate(v) for k, v in (svc.get("environment") or {}).items()}}
        mounts, ro = {}, set()
        for m in svc.get("volumes", []):
            source = "content" if m["type"] == "bind" else m["source"]  # the one bind mount is the checkout
            mounts[m["target"]] = source
            if m.get("read_only"):
                ro.add(m["target"])
        test = (svc.get("healthcheck") or {}).get("test")
        out.append(Service(f"compose/{name}", svc.get("command") or image_cmd(), env, mounts,
                           int(interpolate((svc.get("deploy") or {}).get("replicas", 1))),
                           test[1:] if test and test[0] == "CMD" else None, ro))
    return out


def k8s_docs() -> list[dict]:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    return [d for name in kustomization["resources"]
            for d in yaml.safe_load_all((K8S / name).read_text(encoding="utf-8")) if d]


def k8s_services(secret: str = "test-token") -> list[Service]:
    docs = k8s_docs()
    maps = {d["metadata"]["name"]: d.get("data", {}) for d in docs if d["kind"] == "ConfigMap"}
    out = []
    for d in docs:
        if d["kind"] != "Deployment":
            continue
        pod = d["spec"]["template"]["spec"]
        shared = {v["name"] for v in pod.get("volumes", []) if "emptyDir" not in v}
        for c in pod["containers"]:
            if c["image"] not in IMAGE:
                continue
            env = dict(image_env())
            for src in c.get("envFrom", []):
                env.update(maps[src["configMapRef"]["name"]])
            for e in c.get("env", []):
                env[e["name"]] = e["value"] if "value" in e else secret  # valueFrom: a Secret's key
            mounts = {m["mountPath"]: m["name"] if m["name"] in shared else f"pod:{m['name']}"
                      for m in c.get("volumeMounts", [])}
            ro = {m["mountPath"] for m in c.get("volumeMounts", []) if m.get("readOnly")}
            probes = [c[p]["httpGet"]["path"] for p in ("livenessProbe", "readinessProbe") if p in c]
            out.append(Service(f"k8s/{d['metadata']['name']}", c.get("command") or image_cmd(), env, mounts,
                               int(d["spec"].get("replicas", 1)), None, ro, probes))
    return out


def services(deployment: str) -> list[Service]:
    return compose_services() if deployment == "compose" else k8s_services()


# -- running them --------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Replica:
    service: Service
    index: int
    root: Path
    port: int | None
    env: dict[str, str]
    proc: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def local(self, path: str) -> Path:
        return self.root / path.lstrip("/")

    def logs(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, timeout: float = 60) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        return self.proc.returncode


class Cluster:
    """Volumes, one shared store, and the replicas started so far, under `base`."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.store = base / "store" / "kb.sqlite"
        self.store.parent.mkdir(parents=True)
        self.replicas: list[Replica] = []

    def volume(self, name: str) -> Path:
        path = self.base / "volumes" / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def store_url(self, url: str) -> str:
        """No MongoDB can run here: a mongodb:// URL becomes the one shared SQLite file."""
        if url.startswith(("mongodb://", "mongodb+srv://", "sqlite:")):
            return f"sqlite:///{self.store.as_posix().lstrip('/')}"
        raise AssertionError(f"unexpected store URL {url!r}")

    @staticmethod
    def pod_volume(svc: Service, index: int, name: str) -> str:
        """The folder name of replica `index`'s own `emptyDir` volume `name`."""
        return f"{svc.name.replace('/', '-')}-{index}-{name}"

    def start(self, svc: Service, index: int = 0) -> Replica:
        root = self.base / "roots" / f"{svc.name.replace('/', '-')}-{index}"
        for d in [image_workdir(), *image_dirs()]:
            (root / d.lstrip("/")).mkdir(parents=True, exist_ok=True)
        for target, vol in svc.mounts.items():
            link = root / target.lstrip("/")
            if link.is_dir() and not link.is_symlink():
                link.rmdir()  # the mount hides the image's folder
            link.parent.mkdir(parents=True, exist_ok=True)
            source = self.volume(self.pod_volume(svc, index, vol[4:]) if vol.startswith("pod:") else vol)
            link.symlink_to(source, target_is_directory=True)
        env = {k: (str(root / v.lstrip("/")) if v.startswith("/") else v) for k, v in svc.env.items()}
        if "KB_STORE_URL" in env:
            env["KB_STORE_URL"] = self.store_url(env["KB_STORE_URL"])
        port = free_port() if svc.serves_http else None
        cmd = local_command(svc.command, port)
        if port is not None:
            env["KB_PORT"], env["KB_HOST"] = str(port), "127.0.0.1"
        log = self.base / f"{root.name}.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(cmd, cwd=root / image_workdir().lstrip("/"), stdout=out, stderr=subprocess.STDOUT,
                                    env={"PATH": str(KB_BIN.parent) + ":/usr/bin:/bin", **env})
        rep = Replica(svc, index, root, port, env, proc, log)
        self.replicas.append(rep)
        return rep

    def stop_all(self) -> None:
        for rep in self.replicas:
            rep.stop(30)


def local_command(command: list[str], port: int | None) -> list[str]:
    """The service's command with the venv's `kb`, loopback instead of 0.0.0.0 and a free port instead of 8000."""
    cmd = [str(KB_BIN) if command[0] == "kb" else command[0], *command[1:]]
    for i, word in enumerate(cmd[:-1]):
        if word == "--host":
            cmd[i + 1] = "127.0.0.1"
        if word == "--port" and port is not None:
            cmd[i + 1] = str(port)
    return cmd


def local_healthcheck(check: list[str], port: int) -> list[str]:
    """A healthcheck command aimed at a local replica: port 8000 becomes its port, `python` this interpreter."""
    return [sys.executable if w == "python" else w.replace(":8000/", f":{port}/") for w in check]
