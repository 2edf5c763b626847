"""docker-compose.yml, the Dockerfile, nginx.conf and .env.example agree with the code.

Docker does not run on the development machines, so the files are checked here against what the
code actually accepts: commands parse with verdict's own argparse parser, variables are ones
Settings reads (or documented infrastructure ones), health checks probe routes that exist on the
ports the commands listen on, and depends_on makes sense. `docker compose config` is run as well
wherever the compose plugin exists.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from cms_sync.webhooks import WEBHOOK_PATH, create_webhook_app
from graphql_api.app import create_app
from graphql_api.settings import ApiSettings
from verdict.purge.settings import PurgeSettings
from verdict.settings import DEFAULT_PORT, DEFAULT_WEBHOOK_PORT, PROJECT_ROOT, Settings
from verdict_cli.main import build_parser

COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"
COMPOSE: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
DOCKERFILE = (PROJECT_ROOT / "Dockerfile").read_text()
# The README and the documentation site's pages (docs/), where the settings' tables are.
README = "\n".join(
    p.read_text()
    for p in [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
)
# Variables the stack sets that Settings does not read, each documented in the README or docs/.
DOCS = README
INFRA_PREFIXES = ("POSTGRES_",)  # the postgres image's own
INFRA_NAMES: set[str] = set()  # uvicorn's FORWARDED_ALLOW_IPS is gone: VERDICT_TRUSTED_PROXIES
# The Compose specification's service attributes (compose-spec, services.*).
SERVICE_KEYS = {
    "annotations", "attach", "build", "blkio_config", "cap_add", "cap_drop", "cgroup",
    "cgroup_parent", "command", "configs", "container_name", "cpu_count", "cpu_percent",
    "cpu_period", "cpu_quota", "cpu_rt_period", "cpu_rt_runtime", "cpu_shares", "cpus",
    "cpuset", "credential_spec", "depends_on", "deploy", "develop", "device_cgroup_rules",
    "devices", "dns", "dns_opt", "dns_search", "domainname", "entrypoint", "env_file",
    "environment", "expose", "extends", "external_links", "extra_hosts", "gpus", "group_add",
    "healthcheck", "hostname", "image", "init", "ipc", "isolation", "labels", "links",
    "logging", "mac_address", "mem_limit", "mem_reservation", "mem_swappiness", "memswap_limit",
    "network_mode", "networks", "oom_kill_disable", "oom_score_adj", "pid", "pids_limit",
    "platform", "ports", "post_start", "pre_stop", "privileged", "profiles", "pull_policy",
    "read_only", "restart", "runtime", "scale", "secrets", "security_opt", "shm_size",
    "stdin_open", "stop_grace_period", "stop_signal", "storage_opt", "sysctls", "tmpfs", "tty",
    "ulimits", "user", "userns_mode", "uts", "volumes", "volumes_from", "working_dir",
}  # fmt: skip
TOP_KEYS = {"name", "services", "networks", "volumes", "configs", "secrets", "include"}
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}


class _Recorder(Mapping[str, str]):
    """An empty environment that remembers every name looked up in it."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.names.add(key)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def settings_names() -> set[str]:
    recorder = _Recorder()
    Settings.from_env(recorder)
    return recorder.names


def purge_names() -> set[str]:
    """The shared-cache purger's variables, documented in docs/cdn.md (not the README)."""
    recorder = _Recorder()
    PurgeSettings.from_env(recorder)
    return recorder.names


def api_settings_names() -> set[str]:
    """The API's own settings (graphql_api.settings), documented on their docs pages."""
    recorder = _Recorder()
    ApiSettings.from_env(recorder, prod=True)
    return recorder.names


def env_example() -> dict[str, str]:
    pairs = {}
    for line in (PROJECT_ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


def interpolate(value: str, env: Mapping[str, str]) -> str:
    return re.sub(r"\$\{(\w+)(?::?[-?+][^}]*)?\}", lambda m: env[m.group(1)], value)


def environment(service: Mapping[str, Any]) -> dict[str, str]:
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) for item in raw)
    return {str(k): str(v) for k, v in raw.items()}


def verdict_services() -> dict[str, dict[str, Any]]:
    return {n: s for n, s in SERVICES.items() if str(s.get("image", "")).startswith("verdict")}


def parse(argv: list[str]) -> Any:
    assert argv[0] == "verdict", argv
    try:
        return build_parser().parse_args(argv[1:])
    except SystemExit:
        pytest.fail(f"not a valid verdict command: {argv}")


def dockerfile_stages() -> dict[str, str]:
    parts = re.split(r"^FROM \S+ AS (\w+)\s*$", DOCKERFILE, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def probe(test: list[str] | str) -> tuple[int, str]:
    """(port, path) of the http://127.0.0.1:PORT/PATH a health check requests."""
    text = test if isinstance(test, str) else " ".join(test)
    match = re.search(r"http://127\.0\.0\.1(?::(\d+|%s))?(/[\w/]*)", text)
    assert match, f"no loopback URL in health check {text!r}"
    port = match.group(1)
    if port == "%s":  # the Dockerfile's: the port comes from VERDICT_PORT, default DEFAULT_PORT
        return DEFAULT_PORT, match.group(2)
    return int(port or 80), match.group(2)


# Starlette types an app's routes as BaseRoute; each of ours is a Route or Mount, with a path.
API_ROUTES = {
    route.path  # type: ignore[attr-defined]
    for route in create_app(Settings(database_url="sqlite://x.db")).routes
}
WORKER_ROUTES = {r.canonical for r in create_webhook_app(None, lambda _: None).router.resources()}


def test_compose_structure() -> None:
    assert set(COMPOSE) - TOP_KEYS <= {k for k in COMPOSE if k.startswith("x-")}
    for name, service in SERVICES.items():
        assert set(service) <= SERVICE_KEYS, f"{name}: unknown keys {set(service) - SERVICE_KEYS}"
        assert "image" in service or "build" in service, name
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (PROJECT_ROOT / source).exists(), f"{name}: {source} does not exist"
            else:
                assert source in (COMPOSE.get("volumes") or {}), f"{name}: undeclared {source}"


def test_every_verdict_command_parses_and_runs_the_right_role() -> None:
    handlers = {name: parse(s["command"]) for name, s in verdict_services().items()}
    assert handlers["api"].handler.__name__ == "_serve"
    assert handlers["worker"].handler.__name__ == "_sync"
    assert handlers["worker"].watch
    assert handlers["migrate"].handler.__name__ == "_migrate"
    assert handlers["directus-provision"].handler.__name__ == "cms_provision"
    assert handlers["directus"].handler.__name__ == "cms_up"


def test_dockerfile_commands_health_checks_and_copies() -> None:
    stages = dockerfile_stages()
    assert set(stages) == {"verdict", "directus"}
    for stage, body in stages.items():
        cmd = json.loads(re.findall(r"^CMD (\[.*\])$", body, flags=re.MULTILINE)[-1])
        assert parse(cmd).handler.__name__ == {"verdict": "_serve", "directus": "cms_up"}[stage]
        healthcheck = re.search(r"^HEALTHCHECK .*\n\s+CMD (.*)$", body, flags=re.MULTILINE)
        assert healthcheck, f"stage {stage} has no HEALTHCHECK"
        port, path = probe(healthcheck.group(1))
        if stage == "verdict":
            assert (port, path) == (DEFAULT_PORT, "/healthz")
            assert path in API_ROUTES
        else:
            assert cmd[cmd.index("--port") + 1] == str(port)
    exposed = {int(p) for p in re.findall(r"^EXPOSE (.*)$", DOCKERFILE, re.M)[0].split()}
    assert exposed == {DEFAULT_PORT, DEFAULT_WEBHOOK_PORT}
    copied = re.findall(r"^COPY (?!--from)(.+) \S+$", DOCKERFILE, flags=re.MULTILINE)
    sources = [s for line in copied for s in line.split()]
    for source in sources:
        assert (PROJECT_ROOT / source).exists(), f"Dockerfile copies missing {source}"
    for needed in ("src", "cms_sync", "schema", "content", "requirements.lock"):
        assert needed in sources, f"the image lacks {needed}"
    assert ".env" in (PROJECT_ROOT / ".dockerignore").read_text().split()


def test_every_variable_is_a_setting_or_documented_infrastructure() -> None:
    known = settings_names() | api_settings_names()
    assert {"DATABASE_URL", "REDIS_URL", "VERDICT_SECRET_KEY", "CMS_TOKEN"} <= known
    example = env_example()
    used = set(example)
    for service in verdict_services().values():
        used |= set(environment(service))
    cdn_doc = (PROJECT_ROOT / "docs" / "cdn.md").read_text()
    for name in purge_names():
        assert f"`{name}`" in cdn_doc, f"{name} is not documented in docs/cdn.md"
    known |= purge_names()
    stray = {n for n in used - known if not n.startswith(INFRA_PREFIXES) and n not in INFRA_NAMES}
    assert not stray, f"not read by Settings: {sorted(stray)}"
    for name in INFRA_NAMES:
        assert f"`{name}`" in README, f"{name} is not documented"
    interpolated = set(re.findall(r"\$\{(\w+)", COMPOSE_FILE.read_text()))
    assert interpolated <= set(example), f"missing from .env.example: {interpolated - set(example)}"
    # The values each service really gets are accepted by Settings (prod mode, secrets, URLs).
    # .env.example's secrets are placeholders, which prod refuses: an operator fills them in.
    filled = {**example, "VERDICT_SECRET_KEY": secrets.token_urlsafe(32)}
    filled["CMS_WEBHOOK_SECRET"] = secrets.token_urlsafe(32)
    for name, service in verdict_services().items():
        env = {**filled, **{k: interpolate(v, filled) for k, v in environment(service).items()}}
        settings = Settings.from_env(env)
        if name != "directus":  # Directus keeps its own SQLite; every other one uses PostgreSQL
            assert settings.is_postgres, name


def test_every_setting_is_in_a_readme_table() -> None:
    # README's tables, or those of a docs/ page (settings of a feature documented there).
    pages = [README, *(p.read_text() for p in sorted((PROJECT_ROOT / "docs").glob("*.md")))]
    rows = [line for page in pages for line in page.splitlines() if line.lstrip().startswith("|")]
    missing = [n for n in sorted(settings_names()) if not any(f"`{n}`" in row for row in rows)]
    assert not missing, f"settings without a README table row: {missing}"


def test_health_checks_and_dependencies() -> None:
    for name, service in SERVICES.items():
        check = service.get("healthcheck") or {}
        if service.get("restart") == "no":
            continue  # one-shot jobs: depended on with service_completed_successfully
        assert check.get("test"), f"{name} has no health check"
        assert not check.get("disable"), f"{name} has its health check disabled"
    for name, service in SERVICES.items():
        for target, spec in (service.get("depends_on") or {}).items():
            assert target in SERVICES, f"{name} depends on unknown {target}"
            condition = spec["condition"]
            assert condition in CONDITIONS, f"{name}: {condition}"
            if condition == "service_healthy":
                assert SERVICES[target].get("healthcheck", {}).get("test"), target
            if condition == "service_completed_successfully":
                assert SERVICES[target].get("restart") == "no", f"{target} is not a one-shot"


def test_health_checks_probe_real_routes_on_the_right_ports() -> None:
    api, worker = SERVICES["api"], SERVICES["worker"]
    port, path = probe(api["healthcheck"]["test"])
    assert str(port) == api["command"][api["command"].index("--port") + 1]
    assert path in API_ROUTES
    port, path = probe(worker["healthcheck"]["test"])
    worker_env = environment(worker)
    assert port == int(worker_env["VERDICT_WEBHOOK_PORT"])
    assert path in WORKER_ROUTES
    hook = urlsplit(worker_env["CMS_WEBHOOK_URL"])
    assert (hook.hostname, hook.port, hook.path) == ("worker", port, WEBHOOK_PATH)
    assert worker_env["VERDICT_WEBHOOK_HOST"] == "0.0.0.0"
    directus = SERVICES["directus"]
    port, _ = probe(directus["healthcheck"]["test"])
    assert str(port) == directus["command"][directus["command"].index("--port") + 1]
    assert urlsplit(environment(api)["CMS_URL"]).port == port
    nginx = (PROJECT_ROOT / "deploy" / "nginx.conf").read_text()
    upstream = re.search(r"server api:(\d+)", nginx)
    assert upstream
    assert upstream.group(1) == str(DEFAULT_PORT)
    assert probe(SERVICES["proxy"]["healthcheck"]["test"])[1] in API_ROUTES


def test_docker_compose_config_validates(tmp_path: Path) -> None:
    """`docker compose config` wherever the compose plugin exists (not on this project's CI)."""
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"], check=False).returncode:
        pytest.skip("no `docker compose` here: the structural checks above stand in for it")
    # A copy with .env made from .env.example: the real .env holds secrets and is not committed.
    shutil.copy(COMPOSE_FILE, tmp_path / "docker-compose.yml")
    shutil.copy(PROJECT_ROOT / ".env.example", tmp_path / ".env")
    shutil.copytree(PROJECT_ROOT / "deploy", tmp_path / "deploy")
    result = subprocess.run(
        [docker, "compose", "config", "--quiet"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
