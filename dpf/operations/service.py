"""`python -m dpf service install [--unit-dir DIR] [--dry-run]`: the dashboard as one systemd service.

The unit runs `python -m serve` (serve/cluster.py: the dashboard processes on loopback and Caddy in front serving
HTTPS, all stopped together when one ends, so `Restart=on-failure` restarts the lot). When the dpf command line has
the scheduled-report runner (`python -m dpf schedule run`), a second unit runs it beside the dashboard, started and
stopped with it. Settings the processes need go in as `Environment=` lines (absolute paths resolved now); secrets
never do (a unit file is world-readable): the import key stays in `.streamlit/secrets.toml` or an
`EnvironmentFile` (owner-only) the unit names.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dpf.commands.confirm import confirmed
from dpf.config import DATA_DIR_ENV, REPO_ROOT

UNIT_NAME = "dpf-dashboard"
DEFAULT_UNIT_DIR = Path("/etc/systemd/system")
ENVIRONMENT_FILE = Path("/etc/dpf-dashboard.env")  # optional: secrets such as DASHBOARD_SECRET_KEY, mode 0600
# Settings passed on to the service when they are set where `service install` runs (paths made absolute).
PASSED_ON = (
    DATA_DIR_ENV,
    "DASHBOARD_USERS_FILE",
    "DASHBOARD_AUDIT_DIR",
    "DASHBOARD_CACHE_DIR",
    "DASHBOARD_CADDY_DIR",
    "DASHBOARD_COOKIE_SECRET_FILE",
    "DASHBOARD_IDLE_MINUTES",
    "DASHBOARD_SCHEDULES_FILE",
    "DASHBOARD_MAPPINGS_FILE",
    "DASHBOARD_SMTP_HOST",
    "DASHBOARD_SMTP_PORT",
    "DASHBOARD_SMTP_SECURITY",
    "DASHBOARD_SMTP_CA_FILE",
    "DASHBOARD_SMTP_USER",
    "DASHBOARD_SMTP_FROM",
    "DASHBOARD_OUTBOX_DIR",
    "DASHBOARD_SCHEDULE_TICK_SECONDS",
    "DASHBOARD_DELIVERY_ATTEMPTS",
    "DASHBOARD_DELIVERY_BACKOFF_SECONDS",
    "DASHBOARD_DELIVERY_LEASE_SECONDS",
)
NOT_CONFIRMED = "未确认，服务文件未改动。"


@dataclass(frozen=True)
class ServiceSpec:
    """What the unit runs: where, as whom, on which address and name, with which settings."""

    repo: Path = REPO_ROOT
    python: Path = REPO_ROOT / ".venv" / "bin" / "python"
    user: str | None = None
    procs: int = 2
    host: str = "localhost"
    address: str = "127.0.0.1"
    port: int = 443
    http_port: int = 80
    cert: Path | None = None
    key: Path | None = None
    environment: Mapping[str, str] = field(default_factory=dict)


def _quoted(word: str) -> str:
    """One word of an ExecStart= or Environment= line: `%` escaped (systemd specifiers), quoted when needed."""
    word = word.replace("%", "%%")
    if word and not any(c in word for c in " \t\"'\\;$"):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def serve_command(spec: ServiceSpec) -> list[str]:
    command = [str(spec.python), "-m", "serve", "--procs", str(spec.procs), "--address", spec.address]
    command += ["--host", spec.host, "--port", str(spec.port), "--http-port", str(spec.http_port)]
    if spec.cert and spec.key:
        command += ["--cert", str(spec.cert), "--key", str(spec.key)]
    return command


def has_report_runner(parser: argparse.ArgumentParser) -> bool:
    """True once the dpf command line (`parser`) has `schedule run`, the scheduled-report runner."""
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    schedule = commands.get("schedule")
    if schedule is None:
        return False
    nested = [a for a in schedule._actions if isinstance(a, argparse._SubParsersAction)]
    return any("run" in action.choices for action in nested)


def _service_lines(spec: ServiceSpec, command: list[str]) -> list[str]:
    lines = [
        "Type=simple",
        *([f"User={spec.user}"] if spec.user else []),
        f"WorkingDirectory={_quoted(str(spec.repo))}",
        *(f"Environment={_quoted(f'{name}={value}')}" for name, value in sorted(spec.environment.items())),
        f"EnvironmentFile=-{ENVIRONMENT_FILE}",
        "ExecStart=" + " ".join(_quoted(word) for word in command),
        "Restart=on-failure",
        "RestartSec=5",
        "TimeoutStopSec=30",
        "NoNewPrivileges=true",
        "PrivateTmp=true",
        "ProtectSystem=full",
    ]
    return lines


def unit_text(spec: ServiceSpec) -> str:
    """The dashboard's unit: the processes and Caddy via `python -m serve`, restarted on failure."""
    service = _service_lines(spec, serve_command(spec))
    if spec.user and spec.user != "root" and min(spec.port, spec.http_port or spec.port) < 1024:
        service.insert(service.index("Restart=on-failure"), "AmbientCapabilities=CAP_NET_BIND_SERVICE")
    return "\n".join(
        [
            "[Unit]",
            "Description=县残联工作数据看板 (dashboard processes behind Caddy's HTTPS; python -m serve)",
            "After=network-online.target",
            "Wants=network-online.target",
            "",
            "[Service]",
            *service,
            "",
            "[Install]",
            "WantedBy=multi-user.target",
            "",
        ]
    )


def runner_unit_text(spec: ServiceSpec) -> str:
    """The scheduled-report runner's unit, started and stopped with the dashboard's."""
    command = [str(spec.python), "-m", "dpf", "schedule", "run"]
    return "\n".join(
        [
            "[Unit]",
            "Description=县残联工作数据看板：定时报告 (python -m dpf schedule run)",
            f"PartOf={UNIT_NAME}.service",
            f"After={UNIT_NAME}.service",
            "",
            "[Service]",
            *_service_lines(spec, command),
            "",
            "[Install]",
            f"WantedBy={UNIT_NAME}.service",
            "",
        ]
    )


def units(spec: ServiceSpec, runner: bool) -> dict[str, str]:
    """The unit files by name: the dashboard's, and the runner's when it exists."""
    found = {f"{UNIT_NAME}.service": unit_text(spec)}
    if runner:
        found[f"{UNIT_NAME}-reports.service"] = runner_unit_text(spec)
    return found


def environment_now(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The PASSED_ON settings set here, paths made absolute (a unit has no current folder of ours)."""
    out = {}
    for name in PASSED_ON:
        value = environ.get(name, "").strip()
        if value:
            out[name] = str(Path(value).expanduser().resolve()) if not value.isdigit() else value
    return out


def install(unit_dir: Path, files: Mapping[str, str], dry_run: bool, yes: bool) -> int:
    """Write the unit files (0644) into `unit_dir`; a different file already there is replaced only when confirmed.
    0 written (or shown), 2 not confirmed or not writable."""
    if dry_run:
        for name, text in files.items():
            print(f"# {unit_dir / name}（--dry-run：未写入）\n{text}")
        return 0
    changed = [
        name
        for name, text in files.items()
        if (unit_dir / name).is_file() and (unit_dir / name).read_text(encoding="utf-8") != text
    ]
    if changed and not confirmed(
        f"将替换已有的服务文件：{'、'.join(changed)}。", yes, NOT_CONFIRMED, "确认替换？[y/N] "
    ):
        return 2
    try:
        unit_dir.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            temporary = unit_dir / f".{name}.tmp"
            temporary.write_text(text, encoding="utf-8")
            os.chmod(temporary, 0o644)
            os.replace(temporary, unit_dir / name)
    except OSError as problem:
        print(
            f"服务文件未写入：{problem.strerror or problem}（{problem.filename or unit_dir}）。需要 root 权限时请用 sudo。"
        )
        return 2
    names = " ".join(files)
    print(f"已写入 {'、'.join(str(unit_dir / name) for name in files)}。下一步：")
    print(f"  systemctl daemon-reload && systemctl enable --now {names}")
    print(f"  systemctl status {UNIT_NAME}；日志：journalctl -u {UNIT_NAME} -f")
    return 0


def run_service(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """`python -m dpf service install …`; `parser` is the whole dpf command line (is the report runner there?)."""
    python = REPO_ROOT / ".venv" / "bin" / "python"
    spec = ServiceSpec(
        python=python if python.exists() else Path(sys.executable),
        user=args.user,
        procs=args.procs,
        host=args.host,
        address=args.address,
        port=args.port,
        http_port=args.http_port,
        cert=Path(args.cert).resolve() if args.cert else None,
        key=Path(args.key).resolve() if args.key else None,
        environment=environment_now({**os.environ, **({DATA_DIR_ENV: args.data} if args.data else {})}),
    )
    if DATA_DIR_ENV not in spec.environment:
        print("提示：未设置 DASHBOARD_DATA_DIR（或 --data），服务将显示演示数据。")
    return install(Path(args.unit_dir), units(spec, has_report_runner(parser)), args.dry_run, args.yes)


def add_service_parser(sub) -> argparse.ArgumentParser:
    service = sub.add_parser("service", help="写入 systemd 服务文件（看板进程 + Caddy HTTPS）")
    actions = service.add_subparsers(dest="action", required=True)
    inst = actions.add_parser("install", help="写入 /etc/systemd/system/dpf-dashboard.service")
    inst.add_argument("--unit-dir", default=str(DEFAULT_UNIT_DIR))
    inst.add_argument("--dry-run", action="store_true", help="只显示服务文件，不写入")
    inst.add_argument("--yes", action="store_true", help="替换已有的不同服务文件时不询问")
    inst.add_argument("--data", default=None, help="数据文件夹（默认 DASHBOARD_DATA_DIR）")
    inst.add_argument("--user", default=None, help="运行服务的系统用户（默认 root）")
    inst.add_argument("--procs", type=int, default=2)
    inst.add_argument("--host", default="localhost", help="领导电脑访问用的名称（证书上的名称）")
    inst.add_argument("--address", default="127.0.0.1", help="Caddy 监听的地址（对局域网开放：0.0.0.0 或本机 IP）")
    inst.add_argument("--port", type=int, default=443)
    inst.add_argument("--http-port", type=int, default=80)
    inst.add_argument("--cert", default=None)
    inst.add_argument("--key", default=None)
    return service
