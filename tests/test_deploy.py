"""deploy.sh: the exact commands, in order, with what each template needs."""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

import pytest

from generator import deploy, deploy_after

from .conftest import run_with_stand_in


def _plan(
    size: int, template: dict[str, object], **sources: tuple[str, str, str]
) -> deploy.Planned:
    return deploy.Planned("shop", "eu-west-1", "shop.json", size, template, sources)


def test_large_template_goes_through_the_bucket_and_says_so_when_it_is_missing(
    tmp_path: Path,
) -> None:
    script = deploy.script([_plan(60_000, {"Resources": {}})], "blueprint.yaml")
    assert '--s3-bucket "$BLUEPRINT_DEPLOY_BUCKET"' in script
    path = tmp_path / "deploy.sh"
    path.write_text(script)
    done = subprocess.run(
        ["bash", str(path)],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        "shop.json is 60,000 bytes, over the 51,200 that can be sent directly: set "
        "BLUEPRINT_DEPLOY_BUCKET to an S3 bucket in eu-west-1 to upload it through"
    )


def test_small_template_is_sent_directly() -> None:
    script = deploy.script([_plan(51_200, {"Resources": {}})], "blueprint.yaml")
    assert "--s3-bucket" not in script
    assert "BLUEPRINT_DEPLOY_BUCKET" not in script


def test_capabilities_follow_the_iam_resources() -> None:
    unnamed = {"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {}}}}
    named = {"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "x"}}}}
    assert deploy.capabilities(unnamed) == ["CAPABILITY_IAM"]
    assert deploy.capabilities(named) == ["CAPABILITY_NAMED_IAM"]
    assert deploy.capabilities({"Resources": {}}) == []


def test_parameters_without_defaults_are_required_and_others_left_alone() -> None:
    template = {
        "Parameters": {"Needed": {"Type": "String"}, "Ami": {"Type": "String", "Default": "/aws/x"}}
    }
    script = deploy.script([_plan(10, template)], "blueprint.yaml")
    assert (
        '--parameter-overrides Needed="${Needed:?set Needed to the value of parameter '
        'Needed}"' in script
    )
    assert "Ami=" not in script


FAKE_AWS = '''#!{python}
"""A stand-in for the AWS CLI: records each call, serves outputs of deployed stacks.
FAKE_STATUS ("stack=STATUS,...") gives stacks that exist before the run; FAKE_FAIL names
a stack whose deploy fails, with a failed resource in its events; FAKE_RESOURCES the
number of resources every stack has; FAKE_DENIED refuses reading any stack's status;
FAKE_WAIT the seconds a deploy waits once its stack is done, as the CLI's waiter does
(the number of deploys running at once, at its highest, is kept in the file "peak");
FAKE_HOLD names stacks whose deploy never ends (until killed); FAKE_EVENTS the number of
resource events a deploy makes (one bucket's, failed or not, unless given). Each deploy
writes its process group to "<stack>.pgid". Events come newest first, at most
--max-items of them, then "None" when there are more, as the CLI prints them. An output
named *NameServers holds four name servers, as Route 53 gives them."""
import fcntl, json, os, sys, time
state = os.environ["FAKE_AWS_STATE"]
args = sys.argv[1:]
def opt(name):
    return args[args.index(name) + 1] if name in args else None
with open(os.path.join(state, "calls.jsonl"), "a") as log:
    log.write(json.dumps(args) + "\\n")
command = args[1]
given = dict(p.split("=") for p in filter(None, os.environ.get("FAKE_STATUS", "").split(",")))
deleted = os.path.join(state, str(opt("--stack-name")) + ".deleted")
if command == "describe-stacks" and opt("--query") == "Stacks[0].StackStatus":
    stack = opt("--stack-name")
    if os.environ.get("FAKE_DENIED"):
        sys.exit("An error occurred (AccessDenied) when calling the DescribeStacks operation")
    if os.path.exists(os.path.join(state, stack + ".outputs")):
        print("ROLLBACK_COMPLETE" if stack == os.environ.get("FAKE_FAIL") else "CREATE_COMPLETE")
    elif stack in given and not os.path.exists(deleted):
        print(given[stack])
    else:
        sys.exit(f"An error occurred (ValidationError): Stack with id {{stack}} does not exist")
elif command == "describe-stack-resource":  # no main stack holds a zone of the zones stack
    sys.exit(f"An error occurred (ValidationError): Resource {{opt('--logical-resource-id')}} "
             f"does not exist for stack {{opt('--stack-name')}}")
elif command == "list-stack-resources":  # the count asked for: length(...)
    print(os.environ.get("FAKE_RESOURCES", "0"))
elif command == "delete-stack":
    open(deleted, "w").close()
elif command == "describe-stack-events" and "EventId" in opt("--query"):
    stack = opt("--stack-name")  # an event of an earlier deploy, then this deploy's, if any
    rows = [("E0", "2001-01-01T00:00:00.000Z", stack, "AWS::CloudFormation::Stack",
             "UPDATE_COMPLETE", "None")] if stack in given else []
    if os.path.exists(os.path.join(state, stack + ".outputs")):
        fail = stack == os.environ.get("FAKE_FAIL")
        many = int(os.environ.get("FAKE_EVENTS", "0"))
        made = [(f"Queue{{k}}", "AWS::SQS::Queue", "CREATE_COMPLETE", "None") for k in range(many)]
        steps = [
            (stack, "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", "User Initiated"),
            *(made or [("Bucket", "AWS::S3::Bucket", "CREATE_FAILED" if fail else "CREATE_COMPLETE",
                        "Bucket name taken" if fail else "None")]),
            (stack, "AWS::CloudFormation::Stack",
             "ROLLBACK_COMPLETE" if fail else "CREATE_COMPLETE", "None"),
        ]
        for k, step in enumerate(steps, 1):  # a second apart from 10:00:01 on
            when = f"2999-01-01T{{10 + k // 3600:02}}:{{k // 60 % 60:02}}:{{k % 60:02}}.000Z"
            rows.append((f"E{{k}}", when, *step))
    newest = rows[::-1]
    for row in newest[: int(opt("--max-items"))]:
        print("\\t".join(row))
    if len(newest) > int(opt("--max-items")):
        print("None")
elif command == "describe-stack-events" and "DELETE_SKIPPED" in opt("--query"):
    if os.environ.get("FAKE_KEPT"):
        print(os.environ["FAKE_KEPT"])
elif command == "describe-stack-events":  # newest first; the clock of the machine behind
    assert opt("--max-items") == "300"
    stack = opt("--stack-name")
    for row in [
        ("2999-01-01T10:00:03", stack, "AWS::CloudFormation::Stack", "ROLLBACK_COMPLETE", "None"),
        ("2999-01-01T10:00:02", "Bucket", "AWS::S3::Bucket", "CREATE_FAILED", "Bucket name taken"),
        ("2999-01-01T10:00:01", stack, "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS",
         "User Initiated"),
        ("2999-01-01T09:00:00", "Old", "AWS::SQS::Queue", "CREATE_FAILED", "an earlier deploy"),
        ("2001-01-01T00:00:00", "Older", "AWS::SQS::Queue", "CREATE_FAILED", "long ago"),
    ]:
        print("\\t".join(row))
elif command == "deploy" and opt("--stack-name") == os.environ.get("FAKE_FAIL"):
    open(os.path.join(state, opt("--stack-name") + ".outputs"), "w").write("[]")
    sys.exit("Waiter StackCreateComplete failed: Waiter encountered a terminal failure state")
elif command == "deploy":
    def count(step):  # the deploys running now (in the file "running"), and the most
        with open(os.path.join(state, "lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            def read(name):
                path = os.path.join(state, name)
                return int(open(path).read()) if os.path.exists(path) else 0
            now = read("running") + step
            open(os.path.join(state, "running"), "w").write(str(now))
            peak = max(read("peak"), now)
            open(os.path.join(state, "peak"), "w").write(str(peak))
    count(1)
    with open(os.path.join(state, opt("--stack-name") + ".pgid"), "w") as f:
        f.write(str(os.getpgid(0)))
    if opt("--stack-name") in os.environ.get("FAKE_HOLD", "").split(","):
        time.sleep(600)
    template = json.load(open(opt("--template-file")))
    with open(os.path.join(state, opt("--stack-name") + ".outputs"), "w") as f:
        json.dump(sorted(template.get("Outputs", dict())), f)
    time.sleep(float(os.environ.get("FAKE_WAIT", "0")))
    count(-1)
elif command == "describe-stacks" and opt("--stack-name"):
    stack = opt("--stack-name")
    for key in json.load(open(os.path.join(state, stack + ".outputs"))):
        if key.endswith("NameServers"):
            print(f"{{key}}\\tns-3.awsdns-03.com,NS-1.awsdns-01.org.,ns-4.awsdns-04.net,ns-2.awsdns-02.co.uk")
        else:
            print(f"{{key}}\\tvalue-of-{{stack}}-{{key}}")
elif command == "describe-stacks":
    names = [n[: -len(".outputs")] for n in os.listdir(state) if n.endswith(".outputs")]
    print("\\t".join(sorted(names + ["linebot-service-old", "linebot-other"])))
'''


def test_deploy_script_runs_in_order_and_passes_each_stacks_outputs(tmp_path: Path) -> None:
    """deploy.sh against a stand-in AWS CLI: every stack deployed in order, each parameter
    given the value of the output it names, and the stale service stack deleted."""

    from generator.pipeline import check, render

    from .conftest import ROOT

    build = render(check(ROOT / "blueprint.yaml", "blueprint.yaml"))
    out = tmp_path / "out"
    out.mkdir()
    for name, data in build.files.items():
        (out / name).write_bytes(data)
    # tests/test_delegation.py checks the delegation; here it is skipped
    skip = {"BLUEPRINT_SKIP_DELEGATION_CHECK": "1"}
    done, calls = run_with_stand_in(out / "deploy.sh", FAKE_AWS, tmp_path, **skip)
    assert done.returncode == 0, done.stderr
    deployed = [c[c.index("--stack-name") + 1] for c in calls if c[1] == "deploy"]
    assert deployed == [s.name for s in build.stacks]
    assert deployed == ["linebot-zones", "linebot", "linebot-service-bot"]
    [service_call] = [c for c in calls if c[1] == "deploy" and "linebot-service-bot" in c]
    given = service_call[service_call.index("--parameter-overrides") + 1 :]
    given = given[: next(i for i, a in enumerate(given) if a.startswith("--"))]
    stack = build.stacks[2]
    assert dict(a.split("=", 1) for a in given) == {
        param: f"value-of-{source}-{output}"
        for param, (source, _region, output) in stack.parameter_sources.items()
    }
    assert len(given) == 7
    # one describe-stacks per stack whose outputs are read, not one per parameter (and
    # one more of the zones stack's, for the name servers the delegation check prints)
    reads = [c for c in calls if c[1] == "describe-stacks" and "--stack-name" in c]
    outputs = [c for c in reads if "Stacks[0].StackStatus" not in c]
    assert len(outputs) == 3
    # and one state read before each stack is deployed, and one of the zones stack's before
    # anything (whether the main stack holds its zone: deploy_delegation.HELD)
    assert len(reads) - len(outputs) == 4
    held = [c for c in calls if c[1] == "describe-stack-resource"]
    assert [c[c.index("--logical-resource-id") + 1] for c in held] == ["MainZone"]
    deleted = [c[c.index("--stack-name") + 1] for c in calls if c[1] == "delete-stack"]
    assert deleted == ["linebot-service-old"]  # not the current stacks, not linebot-other
    assert all("blueprint:name=linebot" in c for c in calls if c[1] == "deploy")


# Quotes, a command substitution, backquotes, a line break, a comment and a backslash: each
# would run `touch pwned` if it reached the script unquoted.
NASTY = "x'y\"z $(touch pwned) `touch pwned` \n touch pwned; # \\"


def _run_with_fake_aws(
    script: Path, cwd: Path, **env: str
) -> tuple[subprocess.CompletedProcess[str], list]:
    checked = subprocess.run(
        ["bash", "-n", str(script)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
    return run_with_stand_in(script, FAKE_AWS, cwd, **env)


def test_names_and_paths_never_become_code(tmp_path: Path) -> None:
    """Every value deploy.sh holds reaches ``aws`` as exactly one argument, whatever it
    contains; nothing in them runs."""
    base = "base'\"$(touch pwned)`touch pwned`"  # its outputs are read by awk: one line
    app, region = "app" + NASTY, "eu-west-1" + NASTY
    needs = {"Parameters": {"Vpc": {"Type": "String"}}}
    plans = [
        deploy.Planned(base, region, base + NASTY + ".json", 10, {}),
        deploy.Planned(app, region, app + ".json", 10, needs, {"Vpc": (base, region, "Vpc")}),
        deploy.Planned("big", region, "big" + NASTY + ".json", 60_000, {}),
    ]
    out = tmp_path / "out"
    out.mkdir()
    for plan in plans:
        (out / plan.file).write_text('{"Outputs": {"Vpc": {}}}')
    script = out / "deploy.sh"
    script.write_text(deploy.script(plans, "blue" + NASTY + ".yaml", base))
    assert script.read_text().splitlines()[1] == (
        "# Deploys the stacks built from blue" + NASTY.replace("\n", "\\n") + ".yaml. "
        "Generated by `blueprint build`:"
    )
    (tmp_path / "a").mkdir()
    done, calls = _run_with_fake_aws(script, tmp_path / "a")
    assert not list(tmp_path.rglob("pwned"))
    # the large template without a bucket stops the script before anything changes, its
    # message printed as written
    assert done.returncode == 1
    assert calls == []
    assert done.stderr == (
        f"big{NASTY}.json is 60,000 bytes, over the 51,200 that can be sent directly: set "
        f"BLUEPRINT_DEPLOY_BUCKET to an S3 bucket in {region} to upload it through\n"
    )
    (tmp_path / "b").mkdir()
    bucket = "bucket" + NASTY
    done, calls = _run_with_fake_aws(
        script, tmp_path / "b", BLUEPRINT_DEPLOY_BUCKET=bucket, BLUEPRINT_PARALLEL="1"
    )
    assert done.returncode == 0, done.stderr
    assert not list(tmp_path.rglob("pwned"))
    events = [c for c in calls if c[1] == "describe-stack-events"]
    assert {tuple(c[2:6]) for c in events} == {
        ("--region", region, "--stack-name", name) for name in (base, app, "big")
    }
    # every line of a stack's deploy is prefixed with its name, as it is
    assert f"[{base}] Deploying stack {base} to eu-west-1" in done.stderr
    literal = base.replace("\\", "\\\\").replace("'", "\\'")  # JMESPath raw string
    query = f"Stacks[?Tags[?Key=='blueprint:name' && Value=='{literal}']].StackName"
    stale = ["describe-stacks", "--region", region, "--query", query, "--output", "text"]
    outputs_query = "Stacks[0].Outputs[].[OutputKey,OutputValue]"
    tail = ["--tags", f"blueprint:name={base}", "--no-fail-on-empty-changeset"]

    def deploying(stack: str, file: str) -> list[str]:
        return [
            "cloudformation",
            "deploy",
            "--region",
            region,
            "--stack-name",
            stack,
            "--template-file",
            str(out / file),
        ]

    def state(stack: str) -> list[str]:
        return [
            "cloudformation",
            "describe-stacks",
            "--region",
            region,
            "--stack-name",
            stack,
            "--query",
            "Stacks[0].StackStatus",
            "--output",
            "text",
        ]

    assert [c for c in calls if c[1] != "describe-stack-events"] == [
        ["cloudformation", *stale],
        state(base),
        [*deploying(base, plans[0].file), *tail],
        [
            "cloudformation",
            "describe-stacks",
            "--region",
            region,
            "--stack-name",
            base,
            "--query",
            outputs_query,
            "--output",
            "text",
        ],
        state(app),
        [
            *deploying(app, plans[1].file),
            "--parameter-overrides",
            f"Vpc=value-of-{base}-Vpc",
            *tail,
        ],
        state("big"),
        [*deploying("big", plans[2].file), "--s3-bucket", bucket, *tail],
    ]


def test_a_blueprint_file_name_never_becomes_code(tmp_path: Path) -> None:
    """The blueprint's file name, as typed on the command line, is the one value in
    deploy.sh that no validation shapes: the script for a name that tries every way out of
    a comment is the script for ``blueprint.yaml`` but for that line."""
    from generator.pipeline import check, render

    from .conftest import ROOT

    folder = tmp_path / ("dir" + NASTY)
    folder.mkdir()
    path = folder / ("blueprint" + NASTY + ".yaml")
    path.write_bytes((ROOT / "blueprint.yaml").read_bytes())
    build = render(check(path, str(path)))
    nasty = build.deploy_script.splitlines()
    plain = render(check(ROOT / "blueprint.yaml", "blueprint.yaml")).deploy_script.splitlines()
    assert len(nasty) == len(plain)
    ends = [i for i, line in enumerate(plain) if line.startswith("  review_end ")]
    differ = [i for i, (a, b) in enumerate(zip(nasty, plain, strict=True)) if a != b]
    assert differ == [1, *ends]
    # --review hands the blueprint's folder and file name to blueprint diff: as two words
    words = subprocess.run(
        ["bash", "-c", "review_end() { printf '%s\\0' \"$@\"; }\n" + nasty[ends[0]]],
        capture_output=True,
        check=True,
        cwd=tmp_path,
    ).stdout
    assert words.decode().split("\0") == [str(folder), path.name, ""]
    out = tmp_path / "out"
    out.mkdir()
    for name, data in build.files.items():
        (out / name).write_bytes(data)
    skip = {"BLUEPRINT_SKIP_DELEGATION_CHECK": "1"}  # tests/test_delegation.py checks it
    done, calls = _run_with_fake_aws(out / "deploy.sh", tmp_path, **skip)
    assert done.returncode == 0, done.stderr
    assert not list(tmp_path.rglob("pwned"))
    assert [c[c.index("--stack-name") + 1] for c in calls if c[1] == "deploy"] == [
        "linebot-zones",
        "linebot",
        "linebot-service-bot",
    ]


@functools.cache
def _site_files() -> dict[str, bytes]:
    """The static-site example's build, as found in a folder of its own: rendered once."""
    from generator.pipeline import check, render

    from .conftest import ROOT

    source = ROOT / "examples" / "static-site.yaml"
    return render(check(source, "blueprint.yaml")).files


def _site_project(tmp_path: Path) -> tuple[Path, Path]:
    """The static-site example with its folder in a project of its own, built into out/."""
    from .conftest import ROOT

    project = tmp_path / "project"
    (project / "files").mkdir(parents=True)
    shutil.copytree(ROOT / "examples" / "files" / "static-site", project / "files" / "static-site")
    out = project / "out"
    out.mkdir()
    for name, data in _site_files().items():
        (out / name).write_bytes(data)
    return project, out / "deploy.sh"


def test_a_site_is_synced_then_invalidated_after_the_stacks(tmp_path: Path) -> None:
    project, script = _site_project(tmp_path)
    done, calls = run_with_stand_in(script, FAKE_AWS, project)
    assert done.returncode == 0, done.stderr
    last_deploy = max(i for i, c in enumerate(calls) if c[1] == "deploy")
    sync, invalidation = calls[-2:]
    assert calls.index(sync) > last_deploy
    assert sync == [
        "s3",
        "sync",
        "./files/static-site/",
        "s3://value-of-static-site-WwwSiteBucket/",
        "--region",
        "ap-northeast-1",
        "--delete",
        "--no-follow-symlinks",
    ]
    assert invalidation == [
        "cloudfront",
        "create-invalidation",
        "--distribution-id",
        "value-of-static-site-WwwDistributionId",
        "--paths",
        "/*",
        "--query",
        "Invalidation.Id",
        "--output",
        "text",
    ]


def test_a_site_folder_that_is_a_link_when_deploying_stops_before_any_stack(
    tmp_path: Path,
) -> None:
    project, script = _site_project(tmp_path)
    folder = project / "files" / "static-site"
    shutil.rmtree(folder)
    (project / "files" / "real").mkdir()
    folder.symlink_to(project / "files" / "real")
    done, calls = run_with_stand_in(script, FAKE_AWS, project)
    assert done.returncode == 1
    assert done.stderr == (
        "files/static-site (distribution www) is a symbolic link; deploy.sh uploads a "
        "folder, never a link to one: nothing was deployed\n"
    )
    assert calls == []  # no stack deployed, none deleted, nothing read


def test_a_site_folder_missing_from_where_deploy_runs_stops_before_any_stack(
    tmp_path: Path,
) -> None:
    _, script = _site_project(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done, calls = run_with_stand_in(script, FAKE_AWS, elsewhere)
    assert done.returncode == 1
    assert done.stderr == (
        "files/static-site (distribution www) is not a folder under .: run deploy.sh from "
        "where blueprint build ran, or set BLUEPRINT_ROOT to the blueprint's folder; "
        "nothing was deployed\n"
    )
    assert calls == []


def test_a_site_folder_reached_through_a_link_out_stops_before_any_stack(
    tmp_path: Path,
) -> None:
    project, script = _site_project(tmp_path)
    (project / "files").rename(project / "kept")
    (tmp_path / "elsewhere" / "static-site").mkdir(parents=True)
    (project / "files").symlink_to(tmp_path / "elsewhere")
    done, calls = run_with_stand_in(script, FAKE_AWS, project)
    assert done.returncode == 1
    assert done.stderr == (
        "files/static-site (distribution www) leads out of the blueprint's folder .; nothing "
        "was deployed\n"
    )
    assert calls == []


def test_every_distribution_serving_the_bucket_is_invalidated(tmp_path: Path) -> None:
    site = deploy_after.SiteUpload(
        "www", "base", "eu-west-1", "root", "site", "Bucket", ("DocsId", "WwwId")
    )
    plan = deploy.Planned(site.stack, site.region, "main.json", 10, {})
    out = tmp_path / "out"
    out.mkdir()
    (out / "main.json").write_text('{"Outputs": {"Bucket": {}, "DocsId": {}, "WwwId": {}}}')
    (tmp_path / "root" / "site").mkdir(parents=True)
    script = out / "deploy.sh"
    script.write_text(deploy.script([plan], "blueprint.yaml", "base", sites=[site]))
    done, calls = _run_with_fake_aws(script, tmp_path)
    assert done.returncode == 0, done.stderr
    invalidated = [c[3] for c in calls if c[:2] == ["cloudfront", "create-invalidation"]]
    assert invalidated == ["value-of-base-DocsId", "value-of-base-WwwId"]
    assert [c[:2] for c in calls][-3:] == [
        ["s3", "sync"],
        ["cloudfront", "create-invalidation"],
        ["cloudfront", "create-invalidation"],
    ]


def test_site_values_never_become_code(tmp_path: Path) -> None:
    region = "eu-west-1" + NASTY
    site = deploy_after.SiteUpload(
        "www" + NASTY,
        "base'\"$(touch pwned)",
        region,
        "root" + NASTY,
        "site",
        "Bucket",
        ("Id",),
    )
    plan = deploy.Planned(site.stack, region, "main.json", 10, {})
    out = tmp_path / "out"
    out.mkdir()
    (out / "main.json").write_text('{"Outputs": {"Bucket": {}, "Id": {}}}')
    folder = tmp_path / ("root" + NASTY) / "site"
    folder.mkdir(parents=True)
    script = out / "deploy.sh"
    script.write_text(deploy.script([plan], "blueprint.yaml", "base", sites=[site]))
    done, calls = _run_with_fake_aws(script, tmp_path)
    assert done.returncode == 0, done.stderr
    assert not list(tmp_path.rglob("pwned"))
    sync = next(c for c in calls if c[:2] == ["s3", "sync"])
    assert sync[2:6] == [
        f"root{NASTY}/site/",
        f"s3://value-of-{site.stack}-Bucket/",
        "--region",
        region,
    ]


def _two_stacks(tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], list]:
    """deploy.sh for stacks ``shop`` then ``shop-service-web`` (eu-west-1), which reads an
    output of ``shop``, run against the stand-in with ``env`` (FAKE_STATUS, FAKE_FAIL)."""
    plans = [
        deploy.Planned("shop", "eu-west-1", "shop.json", 10, {}),
        deploy.Planned(
            "shop-service-web",
            "eu-west-1",
            "web.json",
            10,
            {},
            {"Vpc": ("shop", "eu-west-1", "Vpc")},
        ),
    ]
    out = tmp_path / "out"
    out.mkdir()
    for plan in plans:
        (out / plan.file).write_text('{"Outputs": {"Vpc": {}}}')
    (out / "deploy.sh").write_text(deploy.script(plans, "blueprint.yaml"))
    return run_with_stand_in(out / "deploy.sh", FAKE_AWS, tmp_path, **env)


def _commands(calls: list[list[str]]) -> list[tuple[str, str]]:
    """(command, stack) of each call that changes a stack."""
    changing = ("deploy", "delete-stack", "wait")
    return [(c[1], c[c.index("--stack-name") + 1]) for c in calls if c[1] in changing]


def test_a_stack_left_by_a_failed_first_create_is_deleted_and_created_again(
    tmp_path: Path,
) -> None:
    done, calls = _two_stacks(tmp_path, FAKE_STATUS="shop-service-web=ROLLBACK_COMPLETE")
    assert done.returncode == 0, done.stderr
    assert _commands(calls) == [
        ("deploy", "shop"),
        ("delete-stack", "shop-service-web"),
        ("wait", "shop-service-web"),
        ("deploy", "shop-service-web"),
    ]
    assert [c[2] for c in calls if c[1] == "wait"] == ["stack-delete-complete"]
    assert (
        "Stack shop-service-web is in ROLLBACK_COMPLETE; deleting it and creating it again: "
        "its first create failed and was rolled back: the stack holds nothing\n" in done.stderr
    )


def test_what_a_failed_first_create_kept_is_named_before_its_stack_is_deleted(
    tmp_path: Path,
) -> None:
    kept = "Uploads\tAWS::S3::Bucket\tshop-uploads-1"
    env = {"FAKE_STATUS": "shop-service-web=ROLLBACK_COMPLETE", "FAKE_KEPT": kept}
    done, _ = _two_stacks(tmp_path, **env)
    assert done.returncode == 0, done.stderr
    assert (
        "its first create failed and was rolled back: the stack holds nothing; kept outside "
        "it by its deletion policy: Uploads (AWS::S3::Bucket) shop-uploads-1\n" in done.stderr
    )


def test_an_empty_review_stack_is_deleted_and_one_with_resources_stops(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    done, calls = _two_stacks(tmp_path / "a", FAKE_STATUS="shop=REVIEW_IN_PROGRESS")
    assert done.returncode == 0, done.stderr
    assert _commands(calls)[:3] == [
        ("delete-stack", "shop"),
        ("wait", "shop"),
        ("deploy", "shop"),
    ]
    assert "holds only a change set that was never executed" in done.stderr
    (tmp_path / "b").mkdir()
    env = {"FAKE_STATUS": "shop=REVIEW_IN_PROGRESS", "FAKE_RESOURCES": "2"}
    done, calls = _two_stacks(tmp_path / "b", **env)
    assert done.returncode == 1
    assert _commands(calls) == []
    assert "Stack shop is in REVIEW_IN_PROGRESS: deploy.sh changed nothing" in done.stderr


def test_a_stack_in_a_failed_state_stops_the_deploy_with_the_command_to_look(
    tmp_path: Path,
) -> None:
    done, calls = _two_stacks(tmp_path, FAKE_STATUS="shop-service-web=UPDATE_ROLLBACK_FAILED")
    assert done.returncode == 1
    assert _commands(calls) == [("deploy", "shop")]  # the stuck stack is not touched
    assert done.stderr.endswith(
        "[shop-service-web] Stack shop-service-web is in UPDATE_ROLLBACK_FAILED: deploy.sh "
        "changed nothing and stops here. See what happened with: aws cloudformation "
        "describe-stack-events --stack-name shop-service-web --region eu-west-1 --max-items 20\n"
        "deploy.sh failed: these stacks failed to deploy: shop-service-web\n"
    )


def test_a_stack_in_progress_stops_the_deploy_before_any_change(tmp_path: Path) -> None:
    done, calls = _two_stacks(tmp_path, FAKE_STATUS="shop=UPDATE_IN_PROGRESS")
    assert done.returncode == 1
    assert _commands(calls) == []
    assert "Stack shop is in UPDATE_IN_PROGRESS: deploy.sh changed nothing" in done.stderr


def test_a_failed_deploy_prints_each_failed_resource_and_the_final_state(
    tmp_path: Path,
) -> None:
    done, calls = _two_stacks(tmp_path, FAKE_FAIL="shop")
    assert done.returncode == 1
    assert _commands(calls) == [("deploy", "shop")]  # the next stack is not started
    # its events as they came, then the failed resource of this deploy (not the one from
    # long before it started), and the stack that was not started
    assert done.stderr.endswith(
        "[shop] 10:00:01 shop AWS::CloudFormation::Stack CREATE_IN_PROGRESS: User Initiated\n"
        "[shop] 10:00:02 Bucket AWS::S3::Bucket CREATE_FAILED: Bucket name taken\n"
        "[shop] 10:00:03 shop AWS::CloudFormation::Stack ROLLBACK_COMPLETE\n"
        "[shop] Stack shop failed to deploy. Its failed resources:\n"
        "[shop]   Bucket (AWS::S3::Bucket): Bucket name taken\n"
        "[shop] Stack shop is now ROLLBACK_COMPLETE; deploy.sh stops here.\n"
        "deploy.sh failed: these stacks failed to deploy: shop\n"
        "Not started: shop-service-web\n"
    )


def test_a_status_that_cannot_be_read_stops_with_the_clis_error(tmp_path: Path) -> None:
    """Only "does not exist" means a new stack: any other error reading the status (no
    access, no credentials) stops the deploy with the CLI's message, nothing deployed."""
    done, calls = _two_stacks(tmp_path, FAKE_DENIED="1")
    assert done.returncode == 1
    assert _commands(calls) == []
    assert done.stderr.endswith(
        "[shop] An error occurred (AccessDenied) when calling the DescribeStacks operation\n"
        "deploy.sh failed: these stacks failed to deploy: shop\n"
        "Not started: shop-service-web\n"
    )


def test_deploy_sh_refuses_an_unknown_argument_and_allow_replace_without_review(
    tmp_path: Path,
) -> None:
    """Before any AWS call: an argument deploy.sh does not know, and --allow-replace for a
    plain deploy (which has no review to allow anything in), stop it with exit 2."""
    path = tmp_path / "deploy.sh"
    path.write_text(deploy.script([_plan(10, {"Resources": {}})], "blueprint.yaml", "shop"))
    usage = "usage: deploy.sh [--parallel N] [--review | --execute] [--allow-replace ID[,ID...]]..."
    for args, message in [
        (["--reveiw"], f"deploy.sh: unknown argument: --reveiw\n{usage}"),
        (["--allow-replace", "MainDatabase"], "--allow-replace goes with --review or --execute"),
        (["--review", "--allow-replace"], "--allow-replace needs logical IDs: ID[,ID...]"),
    ]:
        done = subprocess.run(
            ["bash", str(path), *args],
            capture_output=True,
            text=True,
            check=False,
            env={"PATH": "/usr/bin:/bin"},  # no aws: nothing may be called
        )
        assert (done.returncode, done.stderr) == (2, message + "\n")


def services_script(out: Path, count: int, reads: bool = True) -> Path:
    """deploy.sh in ``out`` (made) for ``shop`` and ``count`` service stacks that read its
    outputs (or nothing, unless ``reads``) and nothing of each other."""
    source = {"Vpc": ("shop", "eu-west-1", "Vpc")} if reads else {}
    plans = [deploy.Planned("shop", "eu-west-1", "shop.json", 10, {})] + [
        deploy.Planned(f"shop-service-s{i}", "eu-west-1", f"s{i}.json", 10, {}, source)
        for i in range(count)
    ]
    out.mkdir()
    for plan in plans:
        (out / plan.file).write_text('{"Outputs": {"Vpc": {}}}')
    (out / "deploy.sh").write_text(deploy.script(plans, "blueprint.yaml"))
    return out / "deploy.sh"


def _independent(tmp_path: Path, count: int, **env: str) -> subprocess.CompletedProcess[str]:
    """:func:`services_script`'s deploy.sh, run against the stand-in with ``env``."""
    script = services_script(tmp_path / "out", count)
    done, _ = run_with_stand_in(script, FAKE_AWS, tmp_path, **env)
    assert done.returncode == 0, done.stderr
    return done


def test_independent_stacks_deploy_at_most_the_bound_at_once(tmp_path: Path) -> None:
    """Each deploy takes half a second: with --parallel 2, two of the three service stacks
    run at once after the main stack, never three."""
    done = _independent(tmp_path, 3, FAKE_WAIT="0.5", BLUEPRINT_PARALLEL="2")
    assert (tmp_path / "state" / "peak").read_text() == "2"
    started = [line.split("]")[0] for line in done.stderr.splitlines() if "Deploying" in line]
    # the main stack first; then in the order of the table as slots free up (the first two
    # service stacks start together: their lines come in either order)
    assert (started[0], sorted(started[1:3]), started[3]) == (
        "[shop",
        ["[shop-service-s0", "[shop-service-s1"],
        "[shop-service-s2",
    )


@pytest.mark.exhaustive
def test_a_bound_of_one_deploys_one_stack_at_a_time_in_order(tmp_path: Path) -> None:
    done = _independent(tmp_path, 3, FAKE_WAIT="0.5", BLUEPRINT_PARALLEL="1")
    assert (tmp_path / "state" / "peak").read_text() == "1"
    started = [line.split("]")[0] for line in done.stderr.splitlines() if "Deploying" in line]
    assert started == ["[shop", "[shop-service-s0", "[shop-service-s1", "[shop-service-s2"]


def test_the_wait_ends_when_the_events_show_the_final_status(tmp_path: Path) -> None:
    """The CLI's own wait looks every 30 seconds: deploy.sh, reading the events every
    BLUEPRINT_POLL seconds, ends it as soon as they show the stack complete, and prints
    them (each once, those of earlier deploys not at all)."""
    env = {"FAKE_STATUS": "shop=UPDATE_COMPLETE", "FAKE_WAIT": "60", "BLUEPRINT_POLL": "0.2"}
    done = _independent(tmp_path, 0, **env)
    assert done.stderr.splitlines() == [
        "[shop] Deploying stack shop to eu-west-1",
        "[shop] 10:00:01 shop AWS::CloudFormation::Stack CREATE_IN_PROGRESS: User Initiated",
        "[shop] 10:00:02 Bucket AWS::S3::Bucket CREATE_COMPLETE",
        "[shop] 10:00:03 shop AWS::CloudFormation::Stack CREATE_COMPLETE",
    ]


def test_arguments_other_than_parallel_are_refused_with_the_usage(tmp_path: Path) -> None:
    script = tmp_path / "deploy.sh"
    script.write_text(deploy.script([_plan(10, {"Resources": {}})], "blueprint.yaml"))
    usage = (
        "usage: deploy.sh [--parallel N] [--review | --execute] [--allow-replace ID[,ID...]]...\n"
    )
    for args, env, message in (
        (["--paralel", "2"], {}, "deploy.sh: unknown argument: --paralel\n" + usage),
        (["--parallel"], {}, usage),
        (["--parallel", "0"], {}, "must be a whole number from 1, not '0'\n"),
        ([], {"BLUEPRINT_PARALLEL": "two"}, "must be a whole number from 1, not 'two'\n"),
        ([], {"BLUEPRINT_POLL": "5s"}, "BLUEPRINT_POLL must be a number of seconds, not '5s'\n"),
    ):
        done = subprocess.run(
            [str(shutil.which("bash")), str(script), *args],
            capture_output=True,
            text=True,
            check=False,
            env={"PATH": "/nowhere", **env},  # stops before any command is looked up
        )
        assert (done.returncode, done.stderr.endswith(message)) == (2, True), done.stderr
