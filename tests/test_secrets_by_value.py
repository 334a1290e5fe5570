"""Secrets in plain text are found by value as well as by name, in containers' and
functions' environment and in instances' user data; the warning names the kind of secret
and what to do there, never the value."""

from __future__ import annotations

from typing import Any

import pytest

from generator.model.references import secret_kind
from generator.model.resolve import resolve
from generator.model.validate import validate

#: Each kind, with a value of it. Made up; the AWS key is AWS's documented example.
SECRETS = {
    "a URL with a password": "postgres://app:s3cr3t-Pa55@db.internal:5432/shop",
    "a GitHub token": "ghp_" + "a1B2c3D4e5" * 3 + "f6G7h8",
    "a JSON Web Token": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0."
    + "dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    "an AWS access key ID": "AKIAIOSFODNN7EXAMPLE",
    "a private key": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n",
}
MORE = {
    "a GitHub token": [
        "gho_" + "Z" * 36,
        "github_pat_11ABCDEFG0" + "x" * 72,
    ],
    "a Slack token": ["xoxb-1234567890-0987654321-AbCdEfGhIjKl", "xoxp-12345678901-abc"],
    "an AWS access key ID": ["ASIA" + "Q" * 16],
    "a private key": ["-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN PRIVATE KEY-----"],
    "a URL with a password": ["redis://:hunter2hunter2@cache:6379", "amqp://u:p@mq"],
}
#: Values that are not secrets.
PLAIN = [
    "postgres://db.internal:5432/shop",
    "https://user@example.com/path",
    "postgres://app:${DB_PASSWORD}@db.internal/shop",
    "https://example.com/a:b@c",
    "0b9cf4a8-6c0e-4d1b-9a7e-3f2c1d0e9b8a",  # a UUID
    "7790bba2c1f3e4d5a6b7c8d9e0f1a2b3c4d5e6f7",  # a git SHA
    "AKIA-not-a-key",
    "ghp_short",
    "eyJ.eyJ.x",
    "-----BEGIN PUBLIC KEY-----",
    "info",
]


@pytest.mark.parametrize(
    ("kind", "value"),
    [*SECRETS.items(), *((k, v) for k, vs in MORE.items() for v in vs)],
)
def test_each_kind_of_secret_is_recognised(kind: str, value: str) -> None:
    assert secret_kind(value) == kind


@pytest.mark.parametrize("value", PLAIN)
def test_plain_values_are_not_secrets(value: str) -> None:
    assert secret_kind(value) is None


def _warnings(data: dict[str, Any]) -> list[tuple[str, str]]:
    model, issues = validate({"name": "shop", "region": "eu-west-1", **data})
    assert model is not None and issues == []
    resolved, found = resolve(model)
    assert resolved is not None
    return [(".".join(str(p) for p in i.path), i.message) for i in found]


CONTAINER = "move it to 'secrets:' as an SSM or Secrets Manager reference"
FUNCTION = (
    "keep it in SSM Parameter Store or Secrets Manager, put its name here instead, allow the "
    "function to read it with 'permissions: [{ssm_parameters: [NAME]}]' (or "
    "'[{secrets: [NAME]}]') and read it in the code"
)
USER_DATA = (
    "keep it in SSM Parameter Store or Secrets Manager, allow the instances to read it with "
    "'permissions: [{ssm_parameters: [NAME]}]' (or '[{secrets: [NAME]}]') and read it at "
    "boot (aws ssm get-parameter --with-decryption)"
)


@pytest.mark.parametrize(("kind", "value"), SECRETS.items())
def test_a_secret_value_is_a_warning_in_each_place(kind: str, value: str) -> None:
    env = {"CONNECTION": value, "UUID": PLAIN[4]}
    container = {"image": "nginx:1.27", "environment": env}
    code = {"inline_file": "index.py"}
    function = {"code": code, "runtime": "python3.12", "handler": "index.h", "environment": env}
    user_data = f"#!/bin/sh\necho start\nexport X='{value}'\n"
    got = _warnings(
        {
            "services": {"api": {"containers": {"app": container}}},
            "functions": {"job": function},
            "instances": {"web": {"instance_type": "t3.micro", "user_data": user_data}},
        }
    )
    held = f"holds what looks like {kind}, in plain text"
    assert got == [
        ("functions.job.environment.CONNECTION", f"'CONNECTION' {held}; {FUNCTION}"),
        ("instances.web.user_data", f"line 3 of the user data {held}; {USER_DATA}"),
        ("services.api.containers.app.environment.CONNECTION", f"'CONNECTION' {held}; {CONTAINER}"),
    ]
    assert not any(part in message for _, message in got for part in value.split("\n") if part)


def test_plain_values_and_names_warn_as_before() -> None:
    env = {f"VALUE_{i}": value for i, value in enumerate(PLAIN)}
    env["API_KEY"] = "k-123"
    container = {"image": "nginx:1.27", "environment": env}
    user_data = "\n".join(PLAIN)
    got = _warnings(
        {
            "services": {"api": {"containers": {"app": container}}},
            "instances": {"web": {"instance_type": "t3.micro", "user_data": user_data}},
        }
    )
    assert got == [
        (
            "services.api.containers.app.environment.API_KEY",
            f"'API_KEY' looks like a secret in plain text; {CONTAINER}",
        )
    ]


def test_a_long_value_is_scanned_in_linear_time() -> None:
    """A blueprint is untrusted input: the URL pattern once scanned from every start
    position to the end of a long value without '://' (20 s for 85,000 characters)."""
    import time

    from generator.model.references import secret_kind

    started = time.process_time()  # CPU time: a loaded machine does not fail the test
    assert secret_kind("linebot-news-data" * 20_000) is None
    assert secret_kind("a" * 200_000 + " postgres://u:pw@h") == "a URL with a password"
    assert time.process_time() - started < 2.0
