"""What deploy.sh does once every stack is deployed: the jobs that run after a deploy, each
waited for, then the static sites' folders uploaded and their distributions' caches
invalidated. Every value from the blueprint goes through the quoting helpers of
:mod:`generator.shell`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .shell import dq as _dq
from .shell import q as _q


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


SITE_FOLDER = """\
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


def site_folder(site: SiteUpload, undone: str) -> str:
    """The line that checks one site's folder (``site_folder``), stopping with ``undone``."""
    named = f"{site.folder} (distribution {site.distribution})"
    return f"site_folder {_q(site.root)} {_q(site.folder)} {_q(named)} {_q(undone)}"


def upload_site(site: SiteUpload) -> list[str]:
    """Upload one folder with ``aws s3 sync --delete`` (what is not in the folder is
    removed from the bucket; symbolic links inside are not followed), then invalidate
    every path of each distribution serving the bucket. The folder is checked again just
    before (``site_folder``): a job run in between may have changed it."""
    region, stack = _q(site.region), _q(site.stack)
    lines = [
        f"echo {_q(f'Uploading {site.folder} for distribution {site.distribution}')} >&2",
        f'site_outputs="$(outputs_of {region} {stack})"',
        f'bucket="$(output "$site_outputs" {stack} {_q(site.bucket_output)})"',
        site_folder(site, "nothing was uploaded"),
        f'aws s3 sync "$site/" "s3://$bucket/" --region {region} --delete --no-follow-symlinks',
    ]
    for key in site.distribution_outputs:
        lines += [
            f'distribution="$(output "$site_outputs" {stack} {_q(key)})"',
            'aws cloudfront create-invalidation --distribution-id "$distribution" '
            "--paths '/*' --query 'Invalidation.Id' --output text >&2",
        ]
    return lines


def run_job(run: JobRun) -> list[str]:
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
