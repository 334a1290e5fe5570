"""References end to end: what each ``{ref: SECTION.NAME.ATTRIBUTE}`` becomes in the
templates, in each place it may be written (container environment of a service, in its
own stack, and of a job; function environment; instance user data as ``${ref:...}``),
the stack output of each, and the JSON schema's pattern of valid targets."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from generator import naming
from generator.model.references import REFERENCE_ATTRIBUTES, reference_pattern
from generator.pipeline import Build, check, render
from generator.schema import schema

Data = dict[str, Any]

BLUEPRINT = """\
name: shop
region: eu-west-1
network: {nat: none}
zones:
  main: {domain: example.com, existing_id: Z0123456789ABCDEFGHIJ}
certificates:
  api: {domain: api.example.com, alternative_names: [www2.api.example.com]}
  site: {domain: www.example.com}
load_balancers:
  web:
    certificate: api
    aliases: [www2.api.example.com, api.example.com]
    routes:
      - service: api
  plain:
    https: false
    http: forward
    routes:
      - instances: web
        port: 8080
instances:
  web:
    subnets: public
    user_data: |
      #!/bin/bash
      echo "${HOME} ${!indirect} ${ref:-default} ${ref:0:3}"
      echo ${ref:load_balancers.web.url} ${ref: distributions.cdn.domain } \\
        ${ref:databases.main.address}:${ref:databases.main.port}
      echo again ${ref:databases.main.address}
  plain:
    subnets: public
    user_data: |
      #!/bin/bash
      echo "${HOME}"
databases:
  main:
    engine: postgres
    version: "16.12"
    instance_class: db.t4g.micro
    allow_from: [api, web]
caches:
  sessions: {engine: redis, allow_from: [api]}
buckets:
  images: {}
tables:
  carts:
    partition_key: {name: id, type: S}
queues:
  orders: {}
file_systems:
  uploads: {}
functions:
  hook:
    code: {s3_bucket: shop-artifacts, s3_key: fn.zip}
    runtime: python3.12
    handler: app.handler
    environment:
      LB_URL: {ref: load_balancers.web.url}
      PLAIN_URL: {ref: load_balancers.plain.url}
      CDN: {ref: distributions.cdn.domain}
      CDN_URL: {ref: distributions.cdn.url}
      CHAT: {ref: websocket_apis.chat.url}
websocket_apis:
  chat:
    routes: {$default: hook}
services:
  api:
    subnets: public
    public_ip: true
    containers:
      app:
        image: example/api:1.0
        port: 8080
        environment:
          DB_HOST: {ref: databases.main.address}
          DB_PORT: {ref: databases.main.port}
          LB_DNS: {ref: load_balancers.web.dns_name}
          CDN: {ref: distributions.cdn.domain}
          CDN_URL: {ref: distributions.cdn.url}
          SESSIONS: {ref: caches.sessions.address}
          CARTS: {ref: tables.carts.name}
jobs:
  nightly:
    schedule: "cron(0 3 * * ? *)"
    subnets: public
    public_ip: true
    containers:
      run:
        image: example/report:1.0
        environment:
          LB_DNS: {ref: load_balancers.plain.dns_name}
          QUEUE: {ref: queues.orders.url}
          IMAGES: {ref: buckets.images.name}
distributions:
  cdn:
    origin: {domain: api.example.com}
    aliases: [www.example.com]
    certificate: site
"""


def _get_att(logical_id: str, attribute: str) -> Data:
    return {"Fn::GetAtt": [logical_id, attribute]}


def _sub(text: str, **variables: Any) -> Data:
    return {"Fn::Sub": [text, variables]}


#: What each reference the blueprint above can write stands for in the main stack.
EXPECTED: dict[str, Any] = {
    "databases.main.address": _get_att("MainDatabase", "Endpoint.Address"),
    "databases.main.port": _get_att("MainDatabase", "Endpoint.Port"),
    "databases.main.secret_arn": _get_att("MainDatabase", "MasterUserSecret.SecretArn"),
    "caches.sessions.address": _get_att("SessionsCache", "PrimaryEndPoint.Address"),
    "caches.sessions.port": _get_att("SessionsCache", "PrimaryEndPoint.Port"),
    "buckets.images.name": {"Ref": "ImagesBucket"},
    "buckets.images.arn": _get_att("ImagesBucket", "Arn"),
    "tables.carts.name": {"Ref": "CartsTable"},
    "tables.carts.arn": _get_att("CartsTable", "Arn"),
    "queues.orders.url": {"Ref": "OrdersQueue"},
    "queues.orders.arn": _get_att("OrdersQueue", "Arn"),
    "queues.orders.name": _get_att("OrdersQueue", "QueueName"),
    "file_systems.uploads.id": {"Ref": "UploadsFileSystem"},
    "websocket_apis.chat.url": _sub(
        "wss://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/live", Api={"Ref": "ChatApi"}
    ),
    "websocket_apis.chat.management_endpoint": _sub(
        "https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/live",
        Api={"Ref": "ChatApi"},
    ),
    "load_balancers.web.dns_name": _get_att("WebLoadBalancer", "DNSName"),
    # HTTPS, at the apex of its aliases (the name its certificate covers)
    "load_balancers.web.url": "https://api.example.com",
    "load_balancers.plain.dns_name": _get_att("PlainLoadBalancer", "DNSName"),
    # no HTTPS listener, no alias: plain HTTP at its DNS name
    "load_balancers.plain.url": _sub(
        "http://${Host}", Host=_get_att("PlainLoadBalancer", "DNSName")
    ),
    "distributions.cdn.domain": _get_att("CdnDistribution", "DomainName"),
    "distributions.cdn.url": "https://www.example.com",
}


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    path = tmp_path_factory.mktemp("refs") / "blueprint.yaml"
    path.write_text(BLUEPRINT)
    checked = check(path, "blueprint.yaml")
    assert [p.text() for p in checked.warnings] == []
    return render(checked)


def _stack(build: Build, name: str) -> Data:
    return next(s.data for s in build.stacks if s.name == name)


def _container_env(stack: Data, family_part: str) -> dict[str, Any]:
    (definition,) = [
        r
        for k, r in stack["Resources"].items()
        if r["Type"] == "AWS::ECS::TaskDefinition" and family_part in k
    ]
    (container,) = definition["Properties"]["ContainerDefinitions"]
    return {e["Name"]: e["Value"] for e in container["Environment"]}


def test_the_expectations_cover_every_referenceable_section() -> None:
    written = {ref.split(".")[0] for ref in EXPECTED}
    # services' url is another part's (service discovery); every other section is here
    assert set(REFERENCE_ATTRIBUTES) - {"services"} == written
    for ref in EXPECTED:
        section, _, attribute = ref.split(".")
        assert attribute in REFERENCE_ATTRIBUTES[section]


@pytest.mark.parametrize("ref", sorted(EXPECTED))
def test_each_attribute_is_an_output_of_the_main_stack(build: Build, ref: str) -> None:
    """Named by the reference, unless the stack already outputs that value under another
    name (a queue's OrdersQueueUrl, a load balancer's WebLoadBalancerDnsName): then that
    one serves, and the value is not output twice."""
    outputs = _stack(build, "shop")["Outputs"]
    name = naming.reference_output(*ref.split("."))
    assert name == "".join(naming.stem(p) for p in ref.split("."))
    holders = [k for k, v in outputs.items() if v["Value"] == EXPECTED[ref]]
    if name in outputs:
        assert outputs[name]["Value"] == EXPECTED[ref]
        assert ref in outputs[name]["Description"]
    else:
        assert [k for k in holders if "{ref: " not in outputs[k]["Description"]]


def test_every_entry_has_an_output_per_attribute_and_no_more(build: Build) -> None:
    outputs = _stack(build, "shop")["Outputs"]
    ours = {k for k, v in outputs.items() if "{ref: " in v["Description"]}
    named = {naming.reference_output(*ref.split(".")) for ref in EXPECTED}
    assert ours <= named
    # the others are there by value, under the names they had before references
    shared = {ref for ref in EXPECTED if naming.reference_output(*ref.split(".")) not in ours}
    assert shared == {
        "distributions.cdn.domain",
        "load_balancers.plain.dns_name",
        "load_balancers.web.dns_name",
        "queues.orders.url",
        "websocket_apis.chat.url",
    }


def test_function_environment_reads_what_renders_after_it(build: Build) -> None:
    """Functions render before load balancers and distributions: the values are read
    when the template is drawn."""
    hook = _stack(build, "shop")["Resources"]["HookFunction"]
    assert hook["Properties"]["Environment"]["Variables"] == {
        "LB_URL": EXPECTED["load_balancers.web.url"],
        "PLAIN_URL": EXPECTED["load_balancers.plain.url"],
        "CDN": EXPECTED["distributions.cdn.domain"],
        "CDN_URL": EXPECTED["distributions.cdn.url"],
        "CHAT": EXPECTED["websocket_apis.chat.url"],
    }


def test_a_job_in_the_main_stack_reads_the_values_themselves(build: Build) -> None:
    assert _container_env(_stack(build, "shop"), "Nightly") == {
        "LB_DNS": EXPECTED["load_balancers.plain.dns_name"],
        "QUEUE": EXPECTED["queues.orders.url"],
        "IMAGES": EXPECTED["buckets.images.name"],
    }


def test_a_service_in_its_own_stack_reads_main_stack_values_as_parameters(
    build: Build,
) -> None:
    service = _stack(build, "shop-service-api")
    env = _container_env(service, "Api")
    passed = {
        "DB_HOST": "MainDatabaseEndpointAddress",
        "DB_PORT": "MainDatabaseEndpointPort",
        "LB_DNS": "WebLoadBalancerDNSName",
        "CDN": "CdnDistributionDomainName",
        "SESSIONS": "SessionsCachePrimaryEndPointAddress",
        "CARTS": "CartsTable",
    }
    assert env == {
        **{var: {"Ref": parameter} for var, parameter in passed.items()},
        "CDN_URL": "https://www.example.com",
    }
    stacks = {s.name: s for s in build.stacks}
    sources = stacks["shop-service-api"].parameter_sources
    main_outputs = stacks["shop"].data["Outputs"]
    refs = {"DB_HOST": "databases.main.address", "LB_DNS": "load_balancers.web.dns_name"}
    refs |= {"CDN": "distributions.cdn.domain", "CARTS": "tables.carts.name"}
    for var, ref in refs.items():
        parameter = passed[var]
        assert parameter in service["Parameters"]
        assert sources[parameter] == ("shop", "eu-west-1", parameter)
        assert main_outputs[parameter]["Value"] == EXPECTED[ref]


def test_user_data_substitutes_references_and_keeps_shell_syntax(build: Build) -> None:
    user_data = _stack(build, "shop")["Resources"]["Web1Instance"]["Properties"]["UserData"]
    text, variables = user_data["Fn::Base64"]["Fn::Sub"]
    assert text == (
        "#!/bin/bash\n"
        'echo "${!HOME} ${!!indirect} ${!ref:-default} ${!ref:0:3}"\n'
        "echo ${LoadBalancersWebUrl} ${DistributionsCdnDomain} \\\n"
        "  ${DatabasesMainAddress}:${DatabasesMainPort}\n"
        "echo again ${DatabasesMainAddress}\n"
    )
    assert variables == {
        "LoadBalancersWebUrl": EXPECTED["load_balancers.web.url"],
        "DistributionsCdnDomain": EXPECTED["distributions.cdn.domain"],
        "DatabasesMainAddress": EXPECTED["databases.main.address"],
        "DatabasesMainPort": EXPECTED["databases.main.port"],
    }
    assert list(variables) == sorted(variables)


def _unsub(text: str, variables: dict[str, str]) -> str:
    """What CloudFormation makes of an Fn::Sub string: each ``${Var}`` replaced, each
    ``${!`` turned back into ``${``."""
    text = re.sub(r"\$\{([A-Za-z0-9]+)\}", lambda m: variables[m.group(1)], text)
    return text.replace("${!", "${")


def test_what_the_instance_receives_is_the_script_with_only_references_replaced(
    build: Build,
) -> None:
    user_data = _stack(build, "shop")["Resources"]["Web1Instance"]["Properties"]["UserData"]
    text, variables = user_data["Fn::Base64"]["Fn::Sub"]
    written = re.search(r"user_data: \|\n((?:      .*\n)+)", BLUEPRINT)
    assert written is not None
    script = "".join(line[6:] + "\n" for line in written.group(1).splitlines())
    values = {v: f"<{v}>" for v in variables}
    expected = re.sub(
        r"\$\{ref:\s*([a-z_.]+)\s*\}",
        lambda m: f"<{naming.reference_output(*m.group(1).split('.'))}>",
        script,
    )
    assert _unsub(text, values) == expected
    assert "${HOME}" in expected and "${!indirect}" in expected


def test_user_data_without_references_is_placed_as_written(build: Build) -> None:
    user_data = _stack(build, "shop")["Resources"]["Plain1Instance"]["Properties"]["UserData"]
    assert user_data == {"Fn::Base64": '#!/bin/bash\necho "${HOME}"\n'}


VALID = sorted(
    f"{section}.{name}.{attribute}"
    for section, attributes in REFERENCE_ATTRIBUTES.items()
    for attribute in attributes
    for name in ("main", "web-1", "a_b")
)

INVALID = [
    "zones.main.id",
    "certificates.api.arn",
    "databases.main.arn",
    "databases.main",
    "databases.Main.address",
    "databases.1main.address",
    "load_balancers.web.dns",
    "distributions.cdn.domain_name",
    "queues.orders.url.extra",
    " databases.main.address",
    "databases.main.address ",
]


def test_schema_pattern_accepts_every_valid_target() -> None:
    pattern = re.compile(reference_pattern())
    assert [ref for ref in VALID if not pattern.match(ref)] == []


@pytest.fixture(scope="module")
def reference_schema() -> Data:
    reference: Data = schema()["$defs"]["Reference"]
    return reference


def test_schema_refuses_what_names_nothing(reference_schema: Data) -> None:
    validator = jsonschema.Draft202012Validator(reference_schema)
    assert [ref for ref in VALID if not validator.is_valid({"ref": ref})] == []
    assert [ref for ref in INVALID if validator.is_valid({"ref": ref})] == []


def test_the_schema_pattern_is_the_one_derived_from_the_table(reference_schema: Data) -> None:
    assert reference_schema["properties"]["ref"]["pattern"] == reference_pattern()
    for section, attributes in REFERENCE_ATTRIBUTES.items():
        assert f"{section}\\." in reference_pattern()
        assert all(a in reference_pattern() for a in attributes)


def test_a_user_data_file_is_checked_and_substituted(tmp_path: Path) -> None:
    (tmp_path / "boot.sh").write_text(
        '#!/bin/bash\necho "${ref:buckets.images.name}" "${ref:buckets.images.bucket}"\n'
    )
    (tmp_path / "blueprint.yaml").write_text(
        "name: shop\nregion: eu-west-1\nnetwork: {nat: none}\nbuckets:\n  images: {}\n"
        "instances:\n  web:\n    subnets: public\n    user_data_file: boot.sh\n"
    )
    with pytest.raises(Exception) as refused:
        check(tmp_path / "blueprint.yaml", "blueprint.yaml")
    assert str(refused.value) == (
        "blueprint.yaml:9:21: instances.web.user_data_file: line 2 of 'boot.sh': unknown "
        "attribute 'bucket' of buckets.images (use 'arn' or 'name')"
    )
    (tmp_path / "boot.sh").write_text('#!/bin/bash\necho "${ref:buckets.images.name}"\n')
    built = render(check(tmp_path / "blueprint.yaml", "blueprint.yaml"))
    resources = next(s.data for s in built.stacks if s.name == "shop")["Resources"]
    assert resources["Web1Instance"]["Properties"]["UserData"] == {
        "Fn::Base64": _sub(
            '#!/bin/bash\necho "${BucketsImagesName}"\n', BucketsImagesName={"Ref": "ImagesBucket"}
        )
    }
