"""`trilith embed-url` as a user runs it: the printed URL opens the app."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jwt

JWT_SECRET = "cli-master-secret-of-thirty-two-bytes-ok"


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trilith.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )


def test_embed_url_prints_a_signed_url_on_its_last_line(tmp_path: Path) -> None:
    env = {
        "TRILITH_WAREHOUSE": f"duckdb:///{tmp_path / 'cli.duckdb'}",
        "TRILITH_JWT_SECRET": JWT_SECRET,
    }
    done = run(
        "embed-url", "sales", "--user", "ann@example.com", "--ttl", "2h",
        "--base-url", "https://data.example.com/", "--team", "west", "--attribute", "region=West",
        env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr + done.stdout
    lines = done.stdout.strip().splitlines()
    assert "created embed client" in done.stdout + done.stderr
    url = urlsplit(lines[-1])
    assert (url.scheme, url.netloc, url.path) == ("https", "data.example.com", "/embed/sales")
    token = parse_qs(url.query)["jwt"][0]
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "HS256"
    assert header["kid"].startswith("emb_")
    assert claims["sub"] == "ann@example.com"
    assert claims["exp"] - claims["iat"] == 7200
    assert claims["teams"] == ["west"]
    assert claims["user_attributes"] == {"region": "West"}
    # A second run reuses the only client.
    again = run("embed-url", "sales", "--user", "bob@example.com", env=env)
    assert again.returncode == 0
    assert "created" not in again.stdout + again.stderr
    assert (
        jwt.get_unverified_header(
            parse_qs(urlsplit(again.stdout.strip().splitlines()[-1]).query)["jwt"][0]
        )["kid"]
        == header["kid"]
    )


def test_embed_url_refuses_bad_input(tmp_path: Path) -> None:
    env = {
        "TRILITH_WAREHOUSE": f"duckdb:///{tmp_path / 'cli.duckdb'}",
        "TRILITH_JWT_SECRET": JWT_SECRET,
    }
    done = run("embed-url", "sales", "--user", "a@b.co", "--ttl", "45d", env=env)
    assert done.returncode == 2
    assert "--ttl" in done.stdout + done.stderr
    no_secret = {"TRILITH_WAREHOUSE": env["TRILITH_WAREHOUSE"], "TRILITH_JWT_SECRET": ""}
    done = run("embed-url", "sales", "--user", "a@b.co", env=no_secret)
    assert done.returncode == 2
    assert "TRILITH_JWT_SECRET" in done.stdout + done.stderr
