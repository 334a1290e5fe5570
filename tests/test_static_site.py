"""Static sites: a distribution whose origin is a bucket of the blueprint, reached through
an Origin Access Control, with a bucket policy that admits that distribution alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.errors import BlueprintError
from generator.pipeline import check, render
from generator.sections.distributions.checks import S3_ENDPOINT

from .conftest import problems_text

SITE = """\
name: site
region: us-east-1
zones:
  main: {domain: example.com}
certificates:
  www: {domain: '*.example.com'}
buckets:
  site: {}
  other: {}
distributions:
  www:
    origin: {bucket: site}
    aliases: [www.example.com]
    certificate: www
"""


def _main(tmp_path: Path, text: str, stack: str = "site") -> dict[str, Any]:
    path = tmp_path / "blueprint.yaml"
    path.write_text(text)
    build = render(check(path, "blueprint.yaml"))
    [main] = [s for s in build.stacks if s.name == stack]
    return main.data


def _of_type(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def _cloudfront_statements(template: dict[str, Any], policy: str) -> list[dict[str, Any]]:
    statements = template["Resources"][policy]["Properties"]["PolicyDocument"]["Statement"]
    return [s for s in statements if s["Principal"] == {"Service": "cloudfront.amazonaws.com"}]


def test_the_origin_is_the_bucket_signed_by_its_own_origin_access_control(
    tmp_path: Path,
) -> None:
    template = _main(tmp_path, SITE)
    [(control_id, control)] = _of_type(template, "AWS::CloudFront::OriginAccessControl").items()
    config = control["Properties"]["OriginAccessControlConfig"]
    assert (
        config["OriginAccessControlOriginType"],
        config["SigningBehavior"],
        config["SigningProtocol"],
    ) == ("s3", "always", "sigv4")
    dist = template["Resources"]["WwwDistribution"]["Properties"]["DistributionConfig"]
    [origin] = dist["Origins"]
    assert origin == {
        "Id": "origin",
        "DomainName": {"Fn::GetAtt": ["SiteBucket", "RegionalDomainName"]},
        "S3OriginConfig": {"OriginAccessIdentity": ""},
        "OriginAccessControlId": {"Fn::GetAtt": [control_id, "Id"]},
    }
    assert dist["DefaultRootObject"] == "index.html"
    assert "CustomErrorResponses" not in dist
    behavior = dist["DefaultCacheBehavior"]
    assert behavior["CachePolicyId"] == "658327ea-f89d-4fab-a63d-7e88639e58f6"  # managed
    assert behavior["AllowedMethods"] == ["GET", "HEAD"]
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert not _of_type(template, "AWS::CloudFront::CachePolicy")
    # the bucket stays private: public access blocked, encrypted with S3-managed keys
    bucket = template["Resources"]["SiteBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    [rule] = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert {"WwwDistributionId", "WwwSiteBucket"} <= set(template["Outputs"])


def test_the_bucket_policy_admits_that_distribution_alone_to_read_objects(
    tmp_path: Path,
) -> None:
    text = SITE + (
        "  docs:\n    origin: {bucket: site}\n    aliases: [docs.example.com]\n"
        "    certificate: www\n"
    )
    template = _main(tmp_path, text)
    statements = _cloudfront_statements(template, "SiteBucketPolicy")
    named = []
    for statement in statements:
        assert statement["Effect"] == "Allow"
        assert statement["Action"] == "s3:GetObject"  # no list, no write
        assert statement["Resource"] == {
            "Fn::Sub": ["${Arn}/*", {"Arn": {"Fn::GetAtt": ["SiteBucket", "Arn"]}}]
        }
        [(key, arn)] = statement["Condition"]["StringEquals"].items()
        assert key == "AWS:SourceArn"
        pattern, values = arn["Fn::Sub"]
        assert pattern == "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Id}"
        named.append(values["Id"]["Ref"])
    assert named == ["DocsDistribution", "WwwDistribution"]
    # a bucket no distribution serves admits no CloudFront
    assert _cloudfront_statements(template, "OtherBucketPolicy") == []


def test_a_single_page_app_gets_its_page_for_missing_paths(tmp_path: Path) -> None:
    config = _main(tmp_path, SITE + "    spa: true\n")["Resources"]["WwwDistribution"]
    assert config["Properties"]["DistributionConfig"]["CustomErrorResponses"] == [
        {"ErrorCode": 403, "ResponseCode": 200, "ResponsePagePath": "/index.html"},
        {"ErrorCode": 404, "ResponseCode": 200, "ResponsePagePath": "/index.html"},
    ]


def test_a_root_object_of_its_own_is_the_apps_page(tmp_path: Path) -> None:
    text = SITE + "    spa: true\n    default_root_object: app/start.html\n"
    dist = _main(tmp_path, text)["Resources"]["WwwDistribution"]["Properties"]
    config = dist["DistributionConfig"]
    assert config["DefaultRootObject"] == "app/start.html"
    assert {e["ResponsePagePath"] for e in config["CustomErrorResponses"]} == {"/app/start.html"}


def test_a_cache_written_out_gets_a_policy_of_its_own(tmp_path: Path) -> None:
    template = _main(tmp_path, SITE + "    cache: {default_ttl_seconds: 60}\n")
    [policy] = _of_type(template, "AWS::CloudFront::CachePolicy")
    behavior = template["Resources"]["WwwDistribution"]["Properties"]["DistributionConfig"][
        "DefaultCacheBehavior"
    ]
    assert behavior["CachePolicyId"] == {"Ref": policy}


def test_a_domain_origin_keeps_no_root_object_and_every_method(tmp_path: Path) -> None:
    text = SITE.replace("{bucket: site}", "{domain: origin.example.com}")
    template = _main(tmp_path, text)
    config = template["Resources"]["WwwDistribution"]["Properties"]["DistributionConfig"]
    assert "DefaultRootObject" not in config
    assert "S3OriginConfig" not in config["Origins"][0]
    assert len(config["DefaultCacheBehavior"]["AllowedMethods"]) == 7
    assert not _of_type(template, "AWS::CloudFront::OriginAccessControl")
    assert _cloudfront_statements(template, "SiteBucketPolicy") == []


@pytest.mark.parametrize(
    "domain",
    [
        "site.s3.amazonaws.com",
        "site.s3.eu-west-1.amazonaws.com",
        "site.s3-website-us-east-1.amazonaws.com",
        "site.s3-website.eu-central-1.amazonaws.com",
        "site.s3.dualstack.ap-northeast-1.amazonaws.com",
        "site.s3.cn-north-1.amazonaws.com.cn",
    ],
)
def test_s3_endpoints_are_recognised(domain: str) -> None:
    assert S3_ENDPOINT.search(domain)


@pytest.mark.parametrize(
    "domain",
    ["origin.example.com", "s3.example.com", "my-s3.example.org", "abc.cloudfront.net"],
)
def test_other_domains_are_not_s3_endpoints(domain: str) -> None:
    assert not S3_ENDPOINT.search(domain)


def test_an_s3_endpoint_as_domain_is_warned_about_and_still_builds(tmp_path: Path) -> None:
    path = tmp_path / "blueprint.yaml"
    path.write_text(SITE.replace("{bucket: site}", "{domain: site.s3.amazonaws.com}"))
    assert problems_text(path).startswith(
        "blueprint.yaml:12:22: distributions.www.origin.domain: warning: "
        "'site.s3.amazonaws.com' is an S3 endpoint"
    )
    [warning] = check(path).warnings
    assert warning.code == "origin-s3-endpoint"
    render(check(path))  # a warning, not an error: the build goes on


def _folder_problems(tmp_path: Path) -> list[str]:
    path = tmp_path / "project" / "blueprint.yaml"
    path.write_text(SITE.replace("{bucket: site}", "{bucket: site, folder: site}"))
    with pytest.raises(BlueprintError) as caught:
        check(path, "blueprint.yaml")
    return [f"{p.code}: {p.message}" for p in caught.value.problems]


def test_a_site_folder_that_leads_out_through_a_link_is_refused(tmp_path: Path) -> None:
    (tmp_path / "project").mkdir()
    (tmp_path / "secrets").mkdir()
    (tmp_path / "project" / "site").symlink_to(tmp_path / "secrets")
    assert _folder_problems(tmp_path) == [
        "include-outside: 'site' leads out of the blueprint's folder through a symbolic "
        "link: a blueprint includes files from its own folder only; give a path relative to "
        "the blueprint, such as 'files/boot.sh'"
    ]


def test_a_site_folder_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "site").write_text("not a folder")
    assert _folder_problems(tmp_path) == ["include-unreadable: 'site' is not a folder"]


def test_init_copies_the_site_folder() -> None:
    from generator import starter

    assert "files/static-site/index.html" in starter.example("static-site").files


def test_a_site_folder_that_is_itself_a_link_is_refused(tmp_path: Path) -> None:
    # deploy.sh refuses a link ([ -L ]), so the build does too, rather than the deploy
    # stopping after every stack is deployed
    (tmp_path / "project" / "real").mkdir(parents=True)
    (tmp_path / "project" / "site").symlink_to("real")
    assert _folder_problems(tmp_path) == [
        "include-unreadable: 'site' is a symbolic link, and deploy.sh uploads a folder, never "
        "a link to one; name the folder it leads to, 'real'"
    ]


def test_the_upload_invalidates_every_distribution_serving_the_bucket(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    path = tmp_path / "blueprint.yaml"
    path.write_text(
        SITE.replace("{bucket: site}", "{bucket: site, folder: site}")
        + "  docs:\n    origin: {bucket: site}\n    aliases: [docs.example.com]\n"
        "    certificate: www\n"
        "  blog:\n    origin: {bucket: other}\n    aliases: [blog.example.com]\n"
        "    certificate: www\n"
    )
    script = render(check(path, "blueprint.yaml")).deploy_script
    upload = script[script.index("aws s3 sync") :]
    assert "DocsDistributionId" in upload
    assert "WwwDistributionId" in upload
    assert "BlogDistributionId" not in upload
    assert upload.count("create-invalidation") == 2


def test_account_wide_names_fit_and_differ_by_region() -> None:
    from generator.sections.distributions.model import account_name

    blueprint, distribution = "b" * 32, "d" * 40  # the longest names a blueprint allows
    names = {
        account_name(blueprint, region, distribution) for region in ("us-east-1", "ap-southeast-2")
    }
    assert len(names) == 2
    assert all(len(n) == 64 and n.startswith("b" * 32 + "-") for n in names)
    assert account_name("shop", "eu-west-1", "www") == "shop-eu-west-1-www"


def test_the_origin_access_control_and_cache_policy_are_named_for_the_region(
    tmp_path: Path,
) -> None:
    text = SITE.replace("name: site", "name: " + "s" * 32).replace(
        "  www:\n", "  " + "w" * 40 + ":\n"
    )
    text += "    cache: {}\n"
    template = _main(tmp_path, text, "s" * 32)
    [control] = _of_type(template, "AWS::CloudFront::OriginAccessControl").values()
    [policy] = _of_type(template, "AWS::CloudFront::CachePolicy").values()
    oac = control["Properties"]["OriginAccessControlConfig"]["Name"]
    cache = policy["Properties"]["CachePolicyConfig"]["Name"]
    assert oac == cache
    assert len(oac) == 64
    assert oac.startswith("s" * 32 + "-us-east-1-www")
