"""Render deploy/nginx/cthb.conf.template for a set of replicas, and prepare the static files
nginx serves in their place (Streamlit's bundle and the project's static/, pre-compressed).

    python deploy/render_nginx.py --replica 127.0.0.1:8601 --replica 127.0.0.1:8602 \\
        --listen 80 --bundle-dir /srv/cthb/bundle --out /etc/nginx/conf.d/cthb.conf
    python deploy/render_nginx.py ... --standalone build/nginx   # a whole nginx.conf there

The bundle is copied from the installed streamlit package (its file names carry content hashes;
a different streamlit version gives a new bundle) and every text file gets a .gz twin, so
nginx's gzip_static sends compressed bytes without compressing on each request.
"""

from __future__ import annotations

import argparse
import gzip
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx" / "cthb.conf.template"
COMPRESS = (".js", ".css", ".json", ".svg", ".txt", ".map", ".ttf", ".html")


def streamlit_bundle() -> tuple[Path, str]:
    import streamlit

    return Path(streamlit.__file__).parent / "static" / "static", streamlit.__version__


def _copy_compressed(source: Path, target: Path) -> int:
    count = 0
    for path in source.rglob("*"):
        if not path.is_file() or path.suffix == ".gz":
            continue
        dest = target / path.relative_to(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)
        if path.suffix in COMPRESS and path.stat().st_size > 1024:
            with open(path, "rb") as src, gzip.open(str(dest) + ".gz", "wb", 9) as out:
                shutil.copyfileobj(src, out)
            count += 1
    return count


def prepare_bundle(bundle_dir: Path) -> tuple[Path, Path]:
    """Copy (once per streamlit version) the bundle and static/ with .gz twins; return the
    folders nginx serves for /static/ and /app/static/."""
    source, version = streamlit_bundle()
    stamp = bundle_dir / "VERSION"
    app_static = bundle_dir / "app-static"
    streamlit_dir = bundle_dir / "streamlit"
    wanted = f"streamlit {version}\n"
    if not (stamp.exists() and stamp.read_text() == wanted):
        shutil.rmtree(streamlit_dir, ignore_errors=True)
        _copy_compressed(source, streamlit_dir)
        stamp.write_text(wanted)
    # The project's static/ changes with the project, not with streamlit: copy it every time.
    shutil.rmtree(app_static, ignore_errors=True)
    _copy_compressed(ROOT / "static", app_static)
    return streamlit_dir, app_static


def render(replicas: list[str], listen: str, bundle_dir: Path, app_static: Path,
           access_log: str) -> str:
    names = [f"cthb_r{i}" for i in range(1, len(replicas) + 1)]
    any_servers = "\n".join(f"    server {r} max_fails=3 fail_timeout=10s;" for r in replicas)
    one = []
    for name, addr in zip(names, replicas, strict=True):
        # The others are backups: a session whose replica is down is moved, not refused.
        backups = "".join(f"    server {r} backup;\n" for r in replicas if r != addr)
        one.append(f"upstream {name} {{\n    server {addr} max_fails=3 fail_timeout=10s;\n"
                   f"{backups}    keepalive 8;\n    keepalive_timeout 4s;\n}}\n")
    route_map = "\n".join(f'    "{addr}" {name};' for name, addr in zip(names, replicas,
                                                                         strict=True))
    text = TEMPLATE.read_text(encoding="utf-8")
    for key, value in {"ANY_SERVERS": any_servers, "ONE_UPSTREAMS": "".join(one),
                       "ROUTE_MAP": route_map, "LISTEN": listen,
                       "BUNDLE_DIR": str(bundle_dir), "APP_STATIC_DIR": str(app_static),
                       "ACCESS_LOG": access_log}.items():
        text = text.replace("{{" + key + "}}", value)
    left = re.findall(r"\{\{[A-Z_]+\}\}", text)
    if left:
        raise ValueError(f"placeholders left in the template: {left}")
    return text


def standalone(site: str, prefix: Path) -> str:
    """A whole nginx.conf around the site, with every path inside `prefix` (no root needed
    beyond the port, no system files touched)."""
    for sub in ("logs", "tmp"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    return f"""worker_processes 2;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
{site}
}}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replica", action="append", required=True,
                        help="host:port of one replica (repeat)")
    parser.add_argument("--listen", default="127.0.0.1:8680")
    parser.add_argument("--bundle-dir", type=Path, default=ROOT / "build" / "nginx" / "bundle")
    parser.add_argument("--access-log", default=None)
    parser.add_argument("--out", type=Path, help="write the site config here")
    parser.add_argument("--standalone", type=Path, metavar="PREFIX",
                        help="write PREFIX/nginx.conf, a whole config (for nginx -p PREFIX)")
    args = parser.parse_args(argv)
    bundle, app_static = prepare_bundle(args.bundle_dir.resolve())
    log = args.access_log or (str(args.standalone.resolve() / "logs" / "access.log")
                              if args.standalone else "/var/log/nginx/cthb.access.log")
    site = render(args.replica, args.listen, bundle, app_static, log)
    if args.standalone:
        prefix = args.standalone.resolve()
        prefix.mkdir(parents=True, exist_ok=True)
        (prefix / "nginx.conf").write_text(standalone(site, prefix), encoding="utf-8")
        print(prefix / "nginx.conf")
    if args.out:
        args.out.write_text(site, encoding="utf-8")
        print(args.out)
    if not args.out and not args.standalone:
        sys.stdout.write(site)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
