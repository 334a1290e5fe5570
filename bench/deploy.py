"""Time deploy.sh on moto: a synthetic blueprint of N services (bench/synthetic.py) deployed
one stack at a time (BLUEPRINT_PARALLEL=1) and then with the default bound, each on a
fresh moto server whose stacks take LATENCY seconds to deploy (tests/moto_aws.py), so
that waiting costs what it costs on AWS and running stacks side by side can save it.

Usage: ``python bench/deploy.py [--services N] [--latency S] [--poll S] [--json]``

Needs the test dependencies (moto, the AWS CLI: ``pip install -e '.[test]'``); run from
the repository root.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Run as a script (python bench/deploy.py), the repository root is not on the path.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import synthetic  # noqa: E402
from generator.deploy_parallel import DEFAULT_PARALLEL  # noqa: E402

BIN = Path(sys.executable).parent  # the venv's blueprint and aws
ZONE = "Z0123456789ABCDEFGHIJ=example.com"  # the synthetic blueprint's existing zone


def _moto(folder: Path, latency: float) -> tuple[subprocess.Popen[bytes], str]:
    """A moto server of its own (tests/moto_aws.py) and its URL."""
    port_file = folder / "port"
    env = {**os.environ, "MOTO_LATENCY": str(latency), "MOTO_EXISTING_ZONES": ZONE}
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.moto_aws", str(port_file)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while not port_file.exists() or not port_file.read_text().endswith("\n"):
        if server.poll() is not None:
            raise SystemExit("the moto server did not start")
        time.sleep(0.1)
    return server, port_file.read_text().strip()


def _deploy(out: Path, folder: Path, latency: float, poll: float, parallel: int) -> float:
    """Seconds deploy.sh takes on a fresh moto server, every stack created."""
    folder.mkdir()
    server, url = _moto(folder, latency)
    try:
        env = {
            "PATH": f"{BIN}{os.pathsep}/usr/bin:/bin",
            "HOME": str(folder),
            "AWS_ENDPOINT_URL": url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "ap-northeast-1",
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "AWS_PAGER": "",
            "BLUEPRINT_PARALLEL": str(parallel),
            "BLUEPRINT_POLL": str(poll),
        }
        start = time.perf_counter()
        done = subprocess.run(
            ["bash", str(out / "deploy.sh")], env=env, capture_output=True, text=True, check=False
        )
        took = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"deploy.sh failed (parallel {parallel}):\n{done.stderr}")
        return took
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=20)
    parser.add_argument("--latency", type=float, default=10.0, help="seconds a stack deploys")
    parser.add_argument("--poll", type=float, default=5.0, help="BLUEPRINT_POLL")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "bp").mkdir()
        blueprint = folder / "bp" / "blueprint.yaml"
        blueprint.write_text(synthetic.blueprint(args.services))
        out = folder / "out"
        subprocess.run(
            [str(BIN / "blueprint"), "build", str(blueprint), "--out", str(out)],
            check=True,
            capture_output=True,
        )
        sequential = _deploy(out, folder / "one", args.latency, args.poll, 1)
        parallel = _deploy(out, folder / "many", args.latency, args.poll, DEFAULT_PARALLEL)
    result = {
        "services": args.services,
        "stacks": args.services + 1,
        "latency_s": args.latency,
        "poll_s": args.poll,
        "cpus": os.cpu_count(),
        "sequential_s": round(sequential, 1),
        f"parallel_{DEFAULT_PARALLEL}_s": round(parallel, 1),
        "ratio": round(parallel / sequential, 2),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"deploy.sh on moto, {args.services} services ({args.services + 1} stacks), "
        f"{args.latency:g} s a stack, BLUEPRINT_POLL={args.poll:g}, {os.cpu_count()} CPUs"
    )
    print(f"  BLUEPRINT_PARALLEL=1    {sequential:8.1f} s")
    print(f"  BLUEPRINT_PARALLEL={DEFAULT_PARALLEL}    {parallel:8.1f} s")
    print(f"  parallel / sequential  {parallel / sequential:8.2f}")


if __name__ == "__main__":
    main()
