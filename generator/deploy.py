"""deploy.sh: the exact ``aws cloudformation deploy`` command for each stack, in order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import deploy_delegation, deploy_parallel, deploy_review
from .deploy_account import Account
from .deploy_account import check_lines as account_check
from .deploy_delegation import Delegation, delegation_lines
from .deploy_state import EVENTS as _EVENTS
from .deploy_state import HELPERS as _STATE_HELPERS
from .deploy_state import deploy_lines
from .shell import comment as _comment
from .shell import dq as _dq
from .shell import q as _q
from .shell import variable as _variable

#: Above this size a template cannot be sent in the request; it must go through S3.
DIRECT_UPLOAD_LIMIT = 51_200
BUCKET_VARIABLE = "BLUEPRINT_DEPLOY_BUCKET"


@dataclass(frozen=True)
class Planned:
    """A stack as deploy.sh sees it: its name, region, file and what the template needs."""

    stack: str
    region: str
    file: str
    size: int
    template: dict[str, Any]
    #: parameter -> (stack, region, output) of an earlier stack that provides its value
    sources: Mapping[str, tuple[str, str, str]] = field(default_factory=dict)
    #: shared by every blueprint in the account and region: not tagged as this blueprint's
    #: (two blueprints would tag it in turn, and each deploy would change it)
    shared: bool = False


@dataclass(frozen=True)
class JobRun:
    """A job deploy.sh runs once every stack is deployed (``run: after_deploy``)."""

    job: str
    #: the job's task definition family; its runs' group is ``family:`` this
    family: str
    stack: str
    region: str
    #: what -> the output of ``stack`` that holds it: Cluster, TaskDefinitionArn, Capacity,
    #: LogGroup, and Network for a task with its own network interface (awsvpc)
    outputs: Mapping[str, str]
    #: the essential containers, whose exit codes are the job's
    containers: tuple[str, ...]


@dataclass(frozen=True)
class SiteUpload:
    """A folder deploy.sh uploads into the bucket a distribution serves, once every stack
    is deployed, and the invalidation of the caches of every distribution serving that
    bucket that follows."""

    distribution: str
    stack: str
    region: str
    #: the blueprint's folder as the build was given it (relative to where it ran);
    #: ``BLUEPRINT_ROOT`` overrides it when deploy.sh runs
    root: str
    #: the folder, relative to the blueprint's
    folder: str
    #: the output of ``stack`` holding the bucket's name
    bucket_output: str
    #: the outputs of ``stack`` holding the IDs of the distributions serving the bucket
    distribution_outputs: tuple[str, ...]


def capabilities(template: dict[str, Any]) -> list[str]:
    """The ``--capabilities`` a template needs to deploy."""
    caps = set()
    named = ("RoleName", "UserName", "GroupName", "ManagedPolicyName", "InstanceProfileName")
    for resource in template.get("Resources", {}).values():
        if str(resource.get("Type", "")).startswith("AWS::IAM::"):
            props = resource.get("Properties", {})
            caps.add("CAPABILITY_NAMED_IAM" if any(k in props for k in named) else "CAPABILITY_IAM")
    if "Transform" in template:
        caps.add("CAPABILITY_AUTO_EXPAND")
    if "CAPABILITY_NAMED_IAM" in caps:
        caps.discard("CAPABILITY_IAM")
    return sorted(caps)


#: The stack tag deploy.sh sets, naming the blueprint a stack belongs to.
TAG = "blueprint:name"

_HELPERS = """\
# The outputs of a deployed stack, one "key<TAB>value" line each: read once per stack.
outputs_of() {
  aws cloudformation describe-stacks --region "$1" --stack-name "$2" \\
    --query 'Stacks[0].Outputs[].[OutputKey,OutputValue]' --output text
}
# The value of output $3 among the outputs of stack $2 ($1, as printed by outputs_of).
output() {
  printf '%s\\n' "$1" | awk -F '\\t' -v stack="$2" -v key="$3" '$1 == key { print $2; found = 1 }
    END { if (!found) { print "stack " stack " has no output " key > "/dev/stderr"; exit 1 } }'
}"""


def script(
    stacks: Sequence[Planned],
    source: str,
    blueprint: str = "",
    runs: Sequence[JobRun] = (),
    sites: Sequence[SiteUpload] = (),
    account: Account | None = None,
    environment: str | None = None,
    zones: Sequence[Delegation] = (),
) -> str:
    """The whole deploy.sh text: first the service stacks of this blueprint that the build
    no longer makes are deleted (nothing reads their outputs: there are no exports), then
    the stacks are deployed, each once the stacks whose outputs it reads are, several at
    once (deploy_parallel), with their events printed as they come (a stack a failed
    first create left is recovered first, a failure reported: see deploy_state; after the
    zones stack, whether each zone is delegated: see deploy_delegation); then the jobs
    that run after a deploy are run, one at a time, each waited for; last, the sites'
    folders are uploaded and their distributions invalidated. ``deploy.sh --review``
    makes and prints a change set per stack instead, and ``--execute`` executes those,
    one stack after another (deploy_review)."""
    lines = [
        "#!/usr/bin/env bash",
        f"# Deploys the stacks built from {_comment(source)}. Generated by `blueprint build`:",
        "# do not edit; change the blueprint and build again.",
        "set -euo pipefail",
        'here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"',
        "",
        deploy_parallel.ARGUMENTS,
    ]
    if account is not None and stacks:
        lines += ["", *account_check(account, stacks[0].region)]
    read = {(stack, region) for plan in stacks for stack, region, _ in plan.sources.values()}
    if read or runs or sites:
        lines += ["", _HELPERS]
    lines += ["", _STATE_HELPERS, _EVENTS, deploy_parallel.SCHEDULER]
    lines += ["", deploy_review.HELPERS, deploy_review.JSON, deploy_review.REVIEW]
    lines += [deploy_review.EXECUTE]
    if zones:
        lines += ["", deploy_delegation.HELPERS]
    if sites:
        lines += ["", _SITE_FOLDER]
        # A folder missing (deploy.sh run from elsewhere), a link or leading out stops the
        # deploy before anything changes, not after every stack is deployed.
        lines += ["", "# The sites' folders, before anything changes"]
        lines += [_site_folder(site, "nothing was deployed") for site in sites]
    # A template that needs the bucket, with none set, stops the deploy before any change.
    checks = [line for plan in stacks for line in _bucket_check(plan)]
    if checks:
        lines += ["", *checks]
    if blueprint:
        # First: a change to the main stack that a removed service still holds up (the
        # cluster, its capacity providers) would fail while the service runs.
        lines += ["", *_stale(stacks, blueprint)]
    index = {(plan.stack, plan.region): i for i, plan in enumerate(stacks)}
    for i, plan in enumerate(stacks):
        body = _deploy(plan, i, blueprint, index)
        if (plan.stack, plan.region) in read:
            body.append(f'outputs_of {_q(plan.region)} {_q(plan.stack)} >"$work/{i}.outputs"')
        # a zone not delegated stops the deploy after this stack (the scheduler: STOPPED)
        body += delegation_lines(plan.stack, zones, deploy_parallel.STOPPED)
        lines += ["", f"# {_comment(plan.stack)} ({_comment(plan.region)})"]
        lines += deploy_parallel.stack_function(i, body)
    lines += ["", "# The stacks in parallel; --review and --execute take them one by one."]
    lines += ['if [ "$mode" = deploy ]; then', *deploy_parallel.table(stacks, _q)]
    lines += ["deploy_stacks", "else"]
    for plan in stacks:
        lines += _change_set(plan, blueprint)
        if (plan.stack, plan.region) in read:
            lines.append(
                f'{_outputs_var(plan.stack)}="$(stack_outputs {_q(plan.region)} {_q(plan.stack)})"'
            )
        check = delegation_lines(plan.stack, zones)
        if check:  # not under --review: the zones stack is then only a change set
            lines += ['if [ "$mode" = execute ]; then', *check, "fi"]
    lines += ["fi", "", *deploy_review.end_lines(source, environment)]
    for run in runs:
        lines += ["", *_run_job(run)]
    for site in sites:
        lines += ["", *_upload_site(site)]
    return "\n".join(lines) + "\n"


_SITE_FOLDER = """\
# A site's folder $2 under the blueprint's folder $1 (or BLUEPRINT_ROOT), into $site: a
# folder, not a symbolic link, inside the blueprint's folder once links are followed, as
# the build checked; $3 names it in messages, $4 says what was left undone.
site_folder() {
  local root="${BLUEPRINT_ROOT:-$1}"
  site="$root/$2"
  if [ -L "$site" ]; then
    echo "$3 is a symbolic link; deploy.sh uploads a folder, never a link to one: $4" >&2
    exit 1
  fi
  if [ ! -d "$site" ]; then
    echo "$3 is not a folder under $root: run deploy.sh from where blueprint build ran," \\
      "or set BLUEPRINT_ROOT to the blueprint's folder; $4" >&2
    exit 1
  fi
  case "$(cd "$site" && pwd -P)/" in
    "$(cd "$root" && pwd -P)"/?*/) ;;
    *) echo "$3 leads out of the blueprint's folder $root; $4" >&2; exit 1 ;;
  esac
}"""


def _site_folder(site: SiteUpload, undone: str) -> str:
    """The line that checks one site's folder (``site_folder``), stopping with ``undone``."""
    named = f"{site.folder} (distribution {site.distribution})"
    return f"site_folder {_q(site.root)} {_q(site.folder)} {_q(named)} {_q(undone)}"


def _upload_site(site: SiteUpload) -> list[str]:
    """Upload one folder with ``aws s3 sync --delete`` (what is not in the folder is
    removed from the bucket; symbolic links inside are not followed), then invalidate
    every path of each distribution serving the bucket. The folder is checked again just
    before (``site_folder``): a job run in between may have changed it."""
    region, stack = _q(site.region), _q(site.stack)
    lines = [
        f"echo {_q(f'Uploading {site.folder} for distribution {site.distribution}')} >&2",
        f'site_outputs="$(outputs_of {region} {stack})"',
        f'bucket="$(output "$site_outputs" {stack} {_q(site.bucket_output)})"',
        _site_folder(site, "nothing was uploaded"),
        f'aws s3 sync "$site/" "s3://$bucket/" --region {region} --delete --no-follow-symlinks',
    ]
    for key in site.distribution_outputs:
        lines += [
            f'distribution="$(output "$site_outputs" {stack} {_q(key)})"',
            'aws cloudfront create-invalidation --distribution-id "$distribution" '
            "--paths '/*' --query 'Invalidation.Id' --output text >&2",
        ]
    return lines


def _run_job(run: JobRun) -> list[str]:
    """Run one job and wait for it; if an essential container exits non-zero (or never
    ran), print the end of its log and exit with its code. ``aws ecs wait tasks-stopped``
    gives up after ten minutes, so it is asked again while the task still runs."""
    region, stack = _q(run.region), _q(run.stack)
    where = f'--region {region} --cluster "$cluster"'

    def read(var: str, what: str) -> str:
        return f'{var}="$(output "$job_outputs" {stack} {_q(run.outputs[what])})"'

    lines = [
        f"echo {_q(f'Running job {run.job}')} >&2",
        f'job_outputs="$(outputs_of {region} {stack})"',
        read("cluster", "Cluster"),
        read("task_definition", "TaskDefinitionArn"),
        read("capacity", "Capacity"),
        read("log_group", "LogGroup"),
    ]
    args = [
        f"aws ecs run-task {where}",
        '--task-definition "$task_definition"',
        '--capacity-provider-strategy "$capacity"',
    ]
    if "Network" in run.outputs:
        lines.append(read("network", "Network"))
        args.append('--network-configuration "$network"')
    args += [
        f"--started-by blueprint-deploy --group {_q('family:' + run.family)}",
        "--query 'tasks[0].taskArn' --output text",
    ]
    lines += [
        'task="$(' + " \\\n  ".join(args) + ')"',
        'if [ "$task" = None ] || [ -z "$task" ]; then',
        f"  echo {_q(f'job {run.job} did not start')} >&2",
        "  exit 1",
        "fi",
        f'until aws ecs wait tasks-stopped {where} --tasks "$task"; do',
        f'  status="$(aws ecs describe-tasks {where} --tasks "$task" '
        "--query 'tasks[0].lastStatus' --output text)\"",
        f'  echo "job {_dq(run.job)} is $status; waiting" >&2',
        "done",
    ]
    return [*lines, *_job_result(run, where)]


def _job_result(run: JobRun, where: str) -> list[str]:
    """Each essential container's exit code; the first that is not 0 ends deploy.sh with
    it, after the end of that container's log (stream ``prefix/container/task-id``)."""
    region = _q(run.region)
    lines = [
        f'exits="$(aws ecs describe-tasks {where} --tasks "$task" '
        "--query 'tasks[0].containers[].[name,exitCode]' --output text)\"",
    ]
    for container in run.containers:
        stream = f"{container}/{container}/"
        lines += [
            f"code=\"$(printf '%s\\n' \"$exits\" | awk -F '\\t' -v name={_q(container)} "
            "'$1 == name { print $2 }')\"",
            'if [ "$code" != 0 ]; then',
            f'  echo "job {_dq(run.job)}: container {_dq(container)} exited with '
            '${code:-no code}; the end of its log:" >&2',
            f'  aws logs get-log-events --region {region} --log-group-name "$log_group" '
            f'--log-stream-name "{_dq(stream)}${{task##*/}}" --limit 50 '
            "--query 'events[].[message]' --output text >&2 || true",
            '  case "$code" in ""|*[!0-9]*) exit 1 ;; *) exit "$code" ;; esac',
            "fi",
        ]
    lines.append(f"echo {_q(f'Job {run.job} succeeded')} >&2")
    return lines


def _deploy(
    plan: Planned, position: int, blueprint: str, index: Mapping[tuple[str, str], int]
) -> list[str]:
    """The lines that deploy one stack: the outputs it reads (kept by each stack it reads
    in the work folder), its parameters, then the one command."""
    lines = [f"echo {_q(f'Deploying stack {plan.stack} to {plan.region}')} >&2"]
    args = [
        "aws cloudformation deploy",
        f"--region {_q(plan.region)}",
        f"--stack-name {_q(plan.stack)}",
        f'--template-file "$here/{_dq(plan.file)}"',
    ]
    if plan.size > DIRECT_UPLOAD_LIMIT:
        args.append(f'--s3-bucket "${BUCKET_VARIABLE}"')
    caps = capabilities(plan.template)
    if caps:
        args.append("--capabilities " + " ".join(caps))
    for stack, region in sorted({(s, r) for s, r, _ in plan.sources.values()}):
        lines.append(f'{_outputs_var(stack)}="$(cat "$work/{index[stack, region]}.outputs")"')
    reads, overrides = _parameters(plan)
    lines += reads
    if overrides:
        args.append("--parameter-overrides " + " ".join(overrides))
    if blueprint and not plan.shared:
        args.append(f"--tags {_q(f'{TAG}={blueprint}')}")
    args.append("--no-fail-on-empty-changeset")
    return [*lines, *deploy_lines(plan.region, plan.stack, position, " \\\n    ".join(args))]


def _bucket_check(plan: Planned) -> list[str]:
    """The line that stops when ``plan``'s template must go through the bucket and
    ``BLUEPRINT_DEPLOY_BUCKET`` is not set; none for a template sent directly."""
    if plan.size <= DIRECT_UPLOAD_LIMIT:
        return []
    message = (
        f"{plan.file} is {plan.size:,} bytes, over the {DIRECT_UPLOAD_LIMIT:,} that can be "
        f"sent directly: set {BUCKET_VARIABLE} to an S3 bucket in {plan.region} to upload "
        "it through"
    )
    return [f'if [ -z "${{{BUCKET_VARIABLE}:-}}" ]; then echo "{_dq(message)}" >&2; exit 1; fi']


def _parameters(plan: Planned) -> tuple[list[str], list[str]]:
    """The lines that read a stack's parameters from earlier stacks' outputs, and each
    parameter as one ``Name="value"`` word (one the user must set stops the script)."""
    lines, overrides = [], []
    for param, (stack, _region, output) in sorted(plan.sources.items()):
        var = _shell_name(param)
        lines.append(f'{var}="$(output "${_outputs_var(stack)}" {_q(stack)} {_q(output)})"')
        overrides.append(f'{_q(param)}="${var}"')
    for param in sorted(plan.template.get("Parameters", {})):
        spec = plan.template["Parameters"][param]
        if param not in plan.sources and "Default" not in spec:
            name = _variable(param)
            overrides.append(f'{name}="${{{name}:?set {name} to the value of parameter {name}}}"')
    return lines, overrides


def _change_set(plan: Planned, blueprint: str) -> list[str]:
    """The lines that review or execute one stack's change set (deploy_review): the same
    template, parameters, capabilities and tags as its deploy."""
    reads, overrides = _parameters(plan)
    # the bucket set or not was checked before any stack (_bucket_check)
    bucket = f'"${BUCKET_VARIABLE}"' if plan.size > DIRECT_UPLOAD_LIMIT else '""'
    tags = f"{TAG}={blueprint}" if blueprint and not plan.shared else ""
    args = [
        _q(plan.region),
        _q(plan.stack),
        f'"$here/{_dq(plan.file)}"',
        bucket,
        _q(" ".join(capabilities(plan.template))),
        _q(tags),
        _q(" ".join(deploy_review.stateful_ids(plan.template))),
        *overrides,
    ]
    sources = sorted({(_q(stack), _outputs_var(stack)) for stack, _, _ in plan.sources.values()})
    return deploy_review.stack_lines(args, sources, reads)


def _stale(stacks: Sequence[Planned], blueprint: str) -> list[str]:
    """Delete this blueprint's service stacks (tagged, named ``<name>-service-*``) that the
    build no longer makes: a service removed from the blueprint."""
    lines = []
    # The name inside a JMESPath raw string literal, where \ and ' are escaped.
    literal = blueprint.replace("\\", "\\\\").replace("'", "\\'")
    query = f"Stacks[?Tags[?Key=='{TAG}' && Value=='{literal}']].StackName"
    for region in sorted({plan.region for plan in stacks if plan.stack == blueprint}):
        wanted = " ".join(sorted(p.stack for p in stacks if p.region == region))
        lines += [
            f"# Service stacks of {_comment(blueprint)} in {_comment(region)} that this "
            "build no longer makes",
            "# (services removed from the blueprint): deleted before anything is deployed.",
            f'stacks="$(aws cloudformation describe-stacks --region {_q(region)} '
            f'--query "{_dq(query)}" --output text)"',
            "for stack in $stacks; do",
            f'  case " {_dq(wanted)} " in *" $stack "*) continue ;; esac',
            f'  case "$stack" in {_q(blueprint)}-service-*) ;; *) continue ;; esac',
            '  if [ "$mode" = review ]; then echo "Stack $stack: deleted first by deploy.sh and'
            ' --execute: its service is no longer in the blueprint"; continue; fi',
            '  echo "Deleting stack $stack: its service is no longer in the blueprint" >&2',
            f'  aws cloudformation delete-stack --region {_q(region)} --stack-name "$stack"',
            f"  aws cloudformation wait stack-delete-complete --region {_q(region)} "
            '--stack-name "$stack"',
            "done",
        ]
    return lines


def _outputs_var(stack: str) -> str:
    return "outputs_" + "".join(c if c.isascii() and c.isalnum() else "_" for c in stack)


def _shell_name(parameter: str) -> str:
    """``BlogCertificateArn`` -> ``blog_certificate_arn``: a shell variable for a value
    (anything but ASCII letters and digits becomes ``_``)."""
    out = "value_" if not parameter[:1].isalpha() else ""
    for i, ch in enumerate(parameter):
        if ch.isupper() and i:
            out += "_"
        out += ch.lower() if ch.isascii() and ch.isalnum() else "_"
    return out
