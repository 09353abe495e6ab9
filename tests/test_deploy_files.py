"""deploy/: what can be checked here without docker or a cluster. The nginx config renders and
passes `nginx -t`; the Kubernetes manifests parse and agree with each other (labels, ports,
probes, cookie affinity); the Dockerfile's instructions are well formed, copy files that exist
and start a command cthb accepts. (The replicas themselves run in deploy/check_replicas.sh.)"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from cthb.cli import build_parser
from deploy import render_nginx
from tests.conftest import require_tool

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "deploy" / "k8s"
INSTRUCTIONS = {"FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT",
                "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK",
                "SHELL"}


def manifests() -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            out[doc["kind"]] = doc
    return out


def test_manifests_agree() -> None:
    m = manifests()
    assert {"Deployment", "Service", "Ingress", "PersistentVolumeClaim", "Job"} <= set(m)
    dep, svc, ing = m["Deployment"], m["Service"], m["Ingress"]
    labels = dep["spec"]["template"]["metadata"]["labels"]
    assert dep["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert svc["spec"]["selector"].items() <= labels.items()
    containers = {c["name"]: c for c in dep["spec"]["template"]["spec"]["containers"]}
    ports = {p["name"]: p["containerPort"] for c in containers.values()
             for p in c.get("ports", [])}
    assert svc["spec"]["ports"][0]["targetPort"] in ports
    for probe in ("readinessProbe", "startupProbe", "livenessProbe"):
        assert containers["nginx"][probe]["httpGet"]["path"] == "/_stcore/health"
    notes = ing["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert int(notes["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    backend = ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == svc["metadata"]["name"]
    assert backend["port"]["name"] == svc["spec"]["ports"][0]["name"]
    # The app reads the shared data/ read-only; the import lock lives inside data/
    # (data/.cthb.lock), so the replicas and the writer share it.
    app_env = {e["name"]: e["value"] for e in containers["app"]["env"]}
    job = m["Job"]["spec"]["template"]["spec"]["containers"][0]
    job_env = {e["name"]: e["value"] for e in job["env"]}
    for name in ("CTHB_DATA_DIR",):
        assert app_env[name] == job_env[name]
    assert all(v.get("readOnly") for v in containers["app"]["volumeMounts"]
               if v["name"] == "data")
    args = containers["app"]["args"]
    assert args[:4] == ["python", "-m", "cthb", "serve"]
    parsed, _unknown = build_parser().parse_known_args(args[3:])
    assert parsed.port == 8501
    init = dep["spec"]["template"]["spec"]["initContainers"][0]["command"]
    assert init[:2] == ["python", "deploy/render_nginx.py"]


def dockerfile_instructions() -> list[tuple[str, str]]:
    lines, current = [], ""
    for raw in (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if not current and (not raw.strip() or raw.lstrip().startswith("#")):
            continue
        current += raw.rstrip("\\").strip() + " "
        if not raw.rstrip().endswith("\\"):
            lines.append(current.strip())
            current = ""
    assert not current, "a continued line at the end"
    return [(line.split(None, 1)[0], line.split(None, 1)[1]) for line in lines]


def test_dockerfile_is_well_formed() -> None:
    steps = dockerfile_instructions()
    assert steps[0][0] == "FROM"
    assert all(op in INSTRUCTIONS for op, _ in steps), [op for op, _ in steps]
    for op, rest in steps:
        if op == "COPY":
            *sources, _target = shlex.split(rest)
            for src in sources:
                assert (ROOT / src).exists(), src
    cmd = json.loads(next(rest for op, rest in steps if op == "CMD"))
    assert cmd[:4] == ["python", "-m", "cthb", "serve"]
    parsed, _unknown = build_parser().parse_known_args(cmd[3:])
    assert str(parsed.port) == next(rest for op, rest in steps if op == "EXPOSE")
    health = next(rest for op, rest in steps if op == "HEALTHCHECK")
    assert "/_stcore/health" in health
    ignore = (ROOT / "deploy" / "Dockerfile.dockerignore").read_text(encoding="utf-8")
    assert ".venv" in ignore and "build/" in ignore


@pytest.mark.parametrize("replicas", [["127.0.0.1:8601", "127.0.0.1:8602", "127.0.0.1:8603"],
                                      ["127.0.0.1:8501"]])
def test_nginx_config_passes_nginx_t(replicas: list[str], tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    require_tool(nginx is not None, "nginx is not installed (apt-get install nginx)")
    assert nginx is not None
    args = ["--listen", "127.0.0.1:8680", "--standalone", str(tmp_path),
            "--bundle-dir", str(tmp_path / "bundle")]
    for r in replicas:
        args += ["--replica", r]
    assert render_nginx.main(args) == 0
    conf = (tmp_path / "nginx.conf").read_text(encoding="utf-8")
    assert conf.count("upstream cthb_r") == len(replicas)
    assert "proxy_set_header Upgrade $http_upgrade" in conf and "gzip_static on" in conf
    done = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    bundle = tmp_path / "bundle" / "streamlit" / "js"
    assert any(p.suffix == ".gz" for p in bundle.iterdir())
