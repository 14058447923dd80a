"""`archive ui`: start the Streamlit app on this machine (registered on the `archive` group)."""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import click

from archive import ArchiveError
from archive.home import HOME_ENV, MODEL_ENV
from ui.cli.base import CONTEXT, cli, friendly, home_of

APP = Path(__file__).parent.parent / "app" / "streamlit_app.py"


@cli.command("ui", context_settings=CONTEXT)
@click.option("--port", type=click.IntRange(1, 65535), default=8501, show_default=True)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but 127.0.0.1/localhost lets other machines read your archive.",
)
@click.option("--no-browser", is_flag=True, help="Do not open a browser window.")
@click.pass_context
@friendly
def ui_cmd(ctx: click.Context, port: int, host: str, no_browser: bool) -> None:
    """Open the archive in your browser: search, read, related coverage, ingest, health.

    \b
    Example:
      archive ui
      archive --home ~/news-archive ui --port 8600 --no-browser
    """
    if importlib.util.find_spec("streamlit") is None:
        raise ArchiveError("the app needs Streamlit: pip install 'semantic-archive[app]'")
    _check_port(host, port)
    env = dict(os.environ)
    env[HOME_ENV] = str(home_of(ctx))
    if ctx.obj.get("model"):
        env[MODEL_ENV] = str(ctx.obj["model"])
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",  # never Streamlit's first-run e-mail prompt, nor its own browser opening
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        "--global.developmentMode",
        "false",
        "--client.toolbarMode",
        "minimal",
    ]
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    click.echo(f"semantic-archive on {url}  (Ctrl-C stops it)", err=True)
    if not no_browser:
        threading.Thread(target=_open_when_serving, args=(url,), daemon=True).start()
    code = _serve(command, env)
    if code not in (0, -2, -15, 130, 143):
        raise click.ClickException(f"the app stopped with exit code {code}")


def _serve(command: list[str], env: dict[str, str]) -> int:
    """Run Streamlit as a child until it ends; a SIGTERM or Ctrl-C sent to this process stops it too.

    (A plain `subprocess.call` died on SIGTERM and left its Streamlit child serving.)
    """
    child = subprocess.Popen(command, env=env)

    def forward(signum: int, _frame: object) -> None:
        child.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, forward)
    try:
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:  # Ctrl-C: the terminal told the child too; a lone SIGINT did not
                child.send_signal(signal.SIGINT)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if child.poll() is None:
            child.terminate()
            child.wait(timeout=30)


def _open_when_serving(url: str, wait_s: float = 120.0) -> None:
    """Open the user's browser once the app answers (Streamlit runs headless: it would prompt for an e-mail)."""
    import urllib.request
    import webbrowser

    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                webbrowser.open(url)
                return
        except OSError:
            time.sleep(0.3)


def _check_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ArchiveError(
                f"cannot listen on {host}:{port} ({exc.strerror}); choose another port with --port"
            ) from None
