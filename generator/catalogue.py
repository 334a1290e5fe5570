"""What each problem code means, with an example message: the data behind
docs/errors.md (written by :func:`markdown`; ``tests/test_codes.py`` keeps it fresh).
A data table, one entry per :class:`generator.codes.Code`."""

from __future__ import annotations

from .codes import Code

#: code -> (what it means, an example of the message printed with it)
CATALOGUE: dict[Code, tuple[str, str]] = {
    Code.FILE_UNREADABLE: (
        "The blueprint file does not exist, is not a regular file (a folder, a FIFO, a device), or cannot be read.",
        "blueprint.yaml: no such file",
    ),
    Code.FILE_TOO_LARGE: (
        "The blueprint file is larger than a blueprint may be (it is read whole).",
        "the file is 2,000,000 bytes, larger than the 1,048,576 a blueprint may be",
    ),
    Code.FILE_EMPTY: (
        "The file holds nothing, or only comments.",
        "the file is empty; a blueprint needs at least 'name' and 'region'",
    ),
    Code.YAML_SYNTAX: (
        "The text is not valid YAML (tabs for indentation, a second document, an unclosed quote...).",
        "YAML syntax: a blueprint is one YAML document; remove the '---' that starts a second one",
    ),
    Code.FILE_NOT_UTF8: (
        "The file is not UTF-8 text.",
        "byte 0xE9 is not UTF-8 text; save the file as UTF-8",
    ),
    Code.FILE_NAME_INVALID: (
        "The blueprint's file name is empty, or is not UTF-8 (messages and `deploy.sh` name it).",
        "the file name 'bot\\xff.yaml' is not UTF-8; rename the file",
    ),
    Code.TEXT_CONTROL_CHARACTER: (
        "A control character (U+0000-U+0008, U+000B, U+000C, U+000E-U+001F, U+007F-U+009F) or a non-character (U+FFFE, U+FFFF) is in the file, or in a string as an escape; tab, line feed and carriage return are fine.",
        "the file holds control character U+001B (ESC); a blueprint may not hold control characters: delete it (terminal colour codes start with it)",
    ),
    Code.TEXT_SURROGATE: (
        'A string holds a lone surrogate (`"\\ud800"`): half of a character, which no file or API can carry.',
        "name: the text holds a lone surrogate U+D800, written as an escape, half of a character: write the character itself, or both halves of its \\u escape pair",
    ),
    Code.YAML_VALUE: (
        "YAML reads an unquoted value as a number or a date that it cannot hold (more than 4,300 digits, a month 13).",
        "tags.release: YAML reads '2024-13-01' as a date but it is not one that can be read; quote it if it is text",
    ),
    Code.YAML_NOT_MAPPING: (
        "The top level is not a mapping of keys.",
        "the top level must be a mapping of keys (name:, region:, ...), found a list",
    ),
    Code.YAML_TAG: (
        "A YAML tag (`!!python/...`, `!Ref`) was used; a blueprint is plain data.",
        "services.bot: YAML tag '!Ref' is not allowed: a blueprint is plain data",
    ),
    Code.YAML_TOO_DEEP: (
        "The document nests deeper than blueprint reads.",
        "the document nests deeper than 64 levels",
    ),
    Code.YAML_TOO_LARGE: (
        "Anchors and aliases expand the document past the number of values blueprint reads (an alias bomb).",
        "the document expands to more than 100,000 values (an alias bomb?); anchors and aliases may not multiply it this far",
    ),
    Code.KEY_TWICE: (
        "A key appears twice in one mapping.",
        "region: duplicate key 'region' (first defined at line 3)",
    ),
    Code.KEY_NOT_TEXT: (
        "A key is a number or a YAML boolean, not text.",
        "services.worker.containers.app.environment: the number 8080 cannot be a key; quote it: '8080'",
    ),
    Code.INCLUDE_UNREADABLE: (
        "A file the blueprint names (user data, inline function code) cannot be read, is not a regular file (a folder, a FIFO, a device), or is not UTF-8.",
        "instances.web.user_data_file: 'boot.sh': no such file or directory",
    ),
    Code.INCLUDE_TOO_LARGE: (
        "A file the blueprint names is larger than AWS takes inline.",
        "functions.api.code.inline_file: 'handler.py' is 5,000 bytes; at most 4,096 fit inline (use an S3 object or an image for larger code)",
    ),
    Code.INCLUDE_OUTSIDE: (
        "A file the blueprint names is outside the blueprint's folder (an absolute path, '..' above it, a symbolic link out of it, or a kernel pseudo-file): a blueprint may only include files from its own folder tree.",
        "instances.web.user_data_file: '/proc/self/environ' is an absolute path: a blueprint includes files from its own folder only; give a path relative to the blueprint, such as 'files/boot.sh'",
    ),
    Code.KEY_UNKNOWN: (
        "A key that the entry does not have (a typo, or a setting in the wrong place).",
        "x-common: unknown key 'x-common'; allowed here: buckets, caches, certificates, databases, distributions, ec2_capacity, file_systems, functions, instances, load_balancers, logical_ids, name, network, region, schedules, services, tables, tags, websocket_apis, zones",
    ),
    Code.KEY_MISSING: (
        "A key the entry needs is not there.",
        "functions.message.handler: missing required key 'handler' (needed unless the code is an image)",
    ),
    Code.VALUE_TYPE: (
        "A value of the wrong kind: text where a number or a list belongs, and so on.",
        "load_balancers.web.aliases: expected a list, found 'bot.example.com'; write [bot.example.com]",
    ),
    Code.VALUE_CHOICE: (
        "A value that is not one of the values the key allows.",
        "databases.main.engine: 'aurora-mysql' is not allowed; expected 'mysql', 'postgres' or 'mariadb'",
    ),
    Code.VALUE_RANGE: (
        "A number outside the range the key allows.",
        "network.azs: 7 is out of range: must be at most 6",
    ),
    Code.VALUE_LENGTH: (
        "A list, mapping or text that is too short or too long.",
        "load_balancers.web.allowed_cidrs: needs at least 1 item(s), found 0",
    ),
    Code.VALUE_INVALID: (
        "A value the key does not accept, for a reason given in the message.",
        "services.bot.memory: value is not a multiple of 1",
    ),
    Code.NAME_INVALID: (
        "An entry name that is not lower-case letters, digits and single '-' or '_'.",
        "services.Worker: 'Worker' is not a valid name: use lower-case letters, digits, and single '-' or '_' between them, starting with a letter; did you mean 'worker'?",
    ),
    Code.STACK_NAME_INVALID: (
        "The blueprint's 'name' cannot prefix stack names.",
        "name: 'NewsWorker' is not a valid stack name prefix: lower-case letters, digits and single hyphens, starting with a letter; did you mean 'newsworker'?",
    ),
    Code.ENVIRONMENT_INVALID: (
        "'environments' is not a mapping of environment names to overrides, an environment's name is not lower-case letters, digits and single hyphens, or an environment defines environments.",
        "environments.Prod: 'Prod' is not an environment name: at most 20 lower-case letters, digits and single hyphens, starting with a letter",
    ),
    Code.ENVIRONMENT_UNKNOWN: (
        "`--env` names an environment the blueprint does not define, or the blueprint defines none.",
        "environments: --env nope: no such environment; the environments are dev, prod",
    ),
    Code.ENVIRONMENT_STACKS_SHARED: (
        "Two environments that deploy to one account (or name none) would make a stack of the same name in the same region: the second deploy would update the first's stack.",
        "environments.prod.name: environment prod makes stack shared in ap-northeast-1, which environment dev makes too; give one of them another 'name:', or each its own 'account:' (in environment prod)",
    ),
    Code.NULL_REMOVES_NOTHING: (
        "An environment sets a key to null (which removes it) that the base blueprint does not have: a typo, or a key in the wrong place.",
        "buckets.scratchh: null removes a key, and 'scratchh' is not one here to remove; did you mean 'scratch'? (in environment prod)",
    ),
    Code.ENVIRONMENTS_RENAME: (
        "Warning: the output folder holds a build of this blueprint from before it had environments; each environment's stacks have new names, so the deployed ones would be left behind.",
        "environments: templates_out/ holds this blueprint's build without environments, stack notes; with environments its stacks are new ones (notes-dev, notes-prod) and the deployed notes is left behind: to keep deploying to it, set 'name: notes' in the environment that should keep it",
    ),
    Code.ACCOUNT_INVALID: (
        "An environment's 'account' is not a 12-digit AWS account ID.",
        "environments.prod.account: '1234' is not an AWS account ID: 12 digits, quoted when it starts with 0 ('012345678901') so that YAML keeps it as written",
    ),
    Code.LOGICAL_ID_INVALID: (
        "A logical ID in 'logical_ids' is not one CloudFormation accepts.",
        "logical_ids.Web-Service: 'Web-Service' is not a logical ID: letters and digits only, at most 255",
    ),
    Code.REGION_UNKNOWN: (
        "'region' is not an AWS region.",
        "region: 'tokyo' is not an AWS region like 'ap-northeast-1'",
    ),
    Code.REGION_UNSUPPORTED: (
        "An AWS region whose templates blueprint cannot check (the pinned cfn-lint has no resource schemas for it).",
        "region: 'me-south-1' is not supported: the pinned cfn-lint ships no resource schemas for it, so its templates cannot be checked",
    ),
    Code.CIDR_INVALID: (
        "A CIDR block that is malformed or has host bits set.",
        "network.cidr: '10.1.2.0/16' has host bits set; did you mean '10.1.0.0/16'?",
    ),
    Code.DOMAIN_INVALID: (
        "A domain name that is malformed (or a wildcard where none is allowed).",
        "load_balancers.web.aliases[0]: '*.example.com' is not a domain name like 'api.example.com'",
    ),
    Code.ZONE_ID_INVALID: (
        "'existing_id' is not a Route53 hosted zone id.",
        "zones.main.existing_id: '/hostedzone/Z0123456789ABC' is not a Route53 hosted zone id (like Z0123456789ABCDEFGHIJ)",
    ),
    Code.HOST_PATTERN_INVALID: (
        "A route's host is not a host-name pattern.",
        "load_balancers.web.routes[0].hosts[0]: 'https://bot.example.com' is not a host name pattern like 'api.example.com' or '*.example.com'",
    ),
    Code.PATH_PATTERN_INVALID: (
        "A path pattern that does not start with '/' or holds spaces.",
        "load_balancers.web.routes[0].health_check.path: 'health' is not a path pattern: it must start with '/' (e.g. '/api/*'), have no spaces and be at most 128 characters",
    ),
    Code.HTTP_CODES_INVALID: (
        "A health-check matcher that is not HTTP status codes.",
        "load_balancers.web.routes[0].health_check.matcher: 'OK' is not HTTP status codes like '200', '200-399' or '200,302'",
    ),
    Code.IMAGE_INVALID: (
        "A container image reference that is malformed.",
        "services.worker.containers.app.image: 'nginx 1.27' is not a container image reference like '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app:1.0' or 'nginx:1.27'",
    ),
    Code.BUCKET_NAME_INVALID: (
        "An S3 bucket name that S3 refuses.",
        "services.bot.permissions[0].s3_bucket: 'Linebot_News_Data' is not an S3 bucket name: 3-63 lower-case letters, digits, '.' and '-'",
    ),
    Code.SSM_NAME_INVALID: (
        "An SSM parameter name that is malformed (or an ARN where a name belongs).",
        "services.bot.containers.app.secrets.ACCESS_TOKEN.ssm: 'arn:aws:ssm:ap-northeast-1:123456789012:parameter/ACCESS_TOKEN' is not an SSM parameter name: letters, digits, '_', '.', '-' and '/' for a hierarchy",
    ),
    Code.SECRET_NAME_INVALID: (
        "A Secrets Manager secret name or ARN that is malformed.",
        "services.bot.containers.app.secrets.TOKEN.secrets_manager: 'my secret' is not a Secrets Manager secret name or ARN",
    ),
    Code.SECRET_KEY_INVALID: (
        "A JSON key of a secret that ECS cannot reference.",
        "services.bot.containers.app.secrets.ACCESS_TOKEN.key: 'token:v2' cannot be a JSON key reference: ECS separates the parts of a secret reference with ':', so the key may not contain ':' or start or end with a space",
    ),
    Code.SECRET_KEY_NEEDS_ARN: (
        "A JSON key of a secret named without the secret's full ARN (ECS finds keys only through it).",
        "services.bot.containers.app.secrets.CHANNEL_SECRET: a JSON 'key' needs the secret's full ARN in 'secrets_manager' (with its 6-character suffix, as the console shows it): ECS cannot find a key by name",
    ),
    Code.SECRET_SHAPE: (
        "A container secret that is none of 'ssm:', 'secrets_manager:' and 'database:'.",
        "services.bot.containers.app.secrets.ACCESS_TOKEN: a secret is a mapping with 'ssm: NAME', 'secrets_manager: NAME' or 'database: NAME' with 'key'",
    ),
    Code.DATABASE_SECRET_KEY_UNKNOWN: (
        "A key of a database's managed secret that RDS does not keep there (it keeps 'username' and 'password').",
        "services.web.containers.app.secrets.DB_HOST.key: 'host' is not in a database's managed secret: RDS keeps only 'username' and 'password' there (the address and port are '{ref: databases.NAME.address}' and '.port' in 'environment')",
    ),
    Code.PERMISSION_SHAPE: (
        "A permission that is none of the permission kinds.",
        "services.bot.permissions[0]: a permission is a mapping with one of 'bucket', 's3_bucket', 'table', 'dynamodb_table', 'queue', 'sqs_queue', 'websocket_api', 'database', 'ssm_parameters' or 'secrets'; found 'dynamo_table', 'access'",
    ),
    Code.CODE_SHAPE: (
        "A function's code that is none of zip from S3, an inline file or an image.",
        "functions.api.code: a function's code is a mapping with 'inline_file', 's3_bucket' or 'image'",
    ),
    Code.ENV_NAME_INVALID: (
        "An environment variable name that is not letters, digits and '_' (for a function: a letter, then at least one more character).",
        "services.worker.containers.app.environment.LOG-LEVEL: 'LOG-LEVEL' is not a valid environment variable name: letters, digits and '_', not starting with a digit",
    ),
    Code.ENV_NAME_RESERVED: (
        "A function's environment variable that Lambda sets itself (AWS_REGION and the rest of Lambda's reserved keys).",
        "functions.api.environment.AWS_REGION: 'AWS_REGION' is set by Lambda itself and cannot be set in a function's environment; use another name",
    ),
    Code.ENV_VALUE_INVALID: (
        "An environment value that is not text (or a ref mapping).",
        "services.worker.containers.app.environment.WORKERS: environment values are text: quote it ('4'), or use a ref mapping for another entry's value",
    ),
    Code.REFERENCE_INVALID: (
        "A reference that is not SECTION.NAME.ATTRIBUTE: a 'ref' mapping, or '${ref:...}' in user data.",
        "services.app2.containers.app.environment.REDISCLUSTERENDPOINT.ref: 'caches.sessions' is not a reference: write SECTION.NAME.ATTRIBUTE, e.g. caches.sessions.address",
    ),
    Code.ROUTE_TARGET_INVALID: (
        "A route that names neither a service nor instances, or both.",
        "load_balancers.web.routes[0]: a route needs 'service' (a service) or 'instances' (an instance group) to send traffic to",
    ),
    Code.CAPACITY_INVALID: (
        "A service's capacity that is not fargate, fargate_spot, an ec2_capacity entry or a strategy.",
        "services.bot.capacity: 'FARGATE_SPOT' is not a capacity: write 'fargate', 'fargate_spot', the name of an 'ec2_capacity' entry, or a list of entries with provider, base and weight; did you mean 'fargate_spot'?",
    ),
    Code.SCHEDULE_INVALID: (
        "A schedule expression that is not cron(...), rate(...) or at(...) as EventBridge Scheduler reads them.",
        "schedules.weekend-start.expression: 'at(2026-12-31)' is not a one-time schedule: write at(2026-12-31T23:00:00)",
    ),
    Code.TIMEZONE_UNKNOWN: (
        "A time zone that is not an IANA time-zone name.",
        "schedules.weekend-start.timezone: 'Tokyo' is not an IANA time zone like 'Asia/Tokyo'; did you mean 'Asia/Tokyo'?",
    ),
    Code.EMAIL_INVALID: (
        "A value that is not an email address where one is expected (a job's `notify`).",
        "jobs.nightly.notify[0]: 'ops-at-example.com' is not an email address",
    ),
    Code.JOB_TRIGGER: (
        "A job has both a `schedule` and `run: after_deploy`, or neither: nothing would start it, or two things would (a job run after each deploy that also needs a schedule is two jobs).",
        "jobs.migrate: a job runs on a 'schedule' or after each deploy ('run: after_deploy'); give one of them",
    ),
    Code.JOB_SIDECAR: (
        "A job container with 'essential: false': ECS stops it when the job ends, and its "
        "exit code would report every run as failed.",
        "jobs.nightly.containers.proxy.essential: a job's containers are all essential: ECS "
        "stops a sidecar when the job ends, and its exit code would report every run as "
        "failed; run what it does in the job's own container, or make it essential",
    ),
    Code.JOB_COMMAND_MISSING: (
        "A job's container has no `command` and its image is a service's image: the job would start that service's server, which never exits. Give the command the job runs.",
        "jobs.migrate.containers.app: this is the image of service 'web', whose default command is its server, which never completes; give the job's 'command', e.g. [bin/rails, db:migrate]",
    ),
    Code.ENGINE_VERSION_INVALID: (
        "A database or cache engine version that is malformed.",
        "databases.main.version: '8.0.43-r1' is not an engine version: write numbers like '8.0.43' or '7.1'",
    ),
    Code.INSTANCE_TYPE_INVALID: (
        "An EC2 instance type, RDS class or ElastiCache node type that is malformed.",
        "caches.sessions.node_type: 't4g.micro' is not an ElastiCache node type like 'cache.t4g.micro'; did you mean 'cache.t4g.micro'?",
    ),
    Code.TAG_INVALID: (
        "A tag CloudFormation refuses: a key starting with 'aws:', over 128 characters or holding a character other than letters, digits, spaces and _ . : / = + - @; a value over 256 characters.",
        "tags.aws:team: tag key 'aws:team' starts with 'aws:', which is reserved for AWS",
    ),
    Code.TEXT_SUBSTITUTION: (
        "Plain text (an environment value, a command, user data) holding '${AWS::...}' or a PascalCase '${Name}', which CloudFormation reads as a template value outside Fn::Sub and refuses.",
        "services.bot.containers.app.environment.REGION: '${AWS::Region}' reads to CloudFormation as a template value to substitute, which it refuses in text placed as it is; write it without '${' (for another entry's value, use a ref)",
    ),
    Code.NAME_COLLISION: (
        "Two names of one section that would make the same logical ID.",
        "services.news_worker: 'news_worker' and 'news-worker' would both become 'NewsWorker' in logical IDs; rename one",
    ),
    Code.NAME_SHARED: (
        "A name used by more than one of services, instances and ec2_capacity.",
        "instances.web: 'web' is also in 'services'; names of services, instances and ec2_capacity must differ, since allow_from and ssh_from name them alone",
    ),
    Code.NAME_RESERVED_PREFIX: (
        "A blueprint name that starts with a prefix ECS reserves (aws, ecs, fargate) while EC2 capacity is used.",
        "name: 'ecs-spring' starts with a prefix ECS reserves for capacity provider names (aws, ecs, fargate), and EC2 capacity providers are named after the stack; choose another name",
    ),
    Code.RECORD_TWICE: (
        "One DNS name that two entries would point somewhere.",
        "distributions.cdn.aliases[0]: 'bot.example.com' already has a record from load_balancers.web; a name can point at one thing",
    ),
    Code.VPC_CIDR_SIZE: (
        "The VPC block is not between /16 and /24.",
        "network.cidr: '10.0.0.0/8': a VPC block must be between /16 and /24",
    ),
    Code.SUBNET_PREFIX: (
        "Subnets of this prefix do not fit twice (public and private) in the VPC.",
        "network.subnet_prefix: /16 subnets do not fit twice in the /16 VPC",
    ),
    Code.SUBNET_SPACE: (
        "The VPC has no room for a public and a private subnet in every zone.",
        "network.subnet_prefix: 10.1.0.0/24 holds 8 /27 subnets, room for 4 zones of public + private; 6 zones need a larger VPC or a longer subnet_prefix",
    ),
    Code.SUBNET_COUNT: (
        "Given subnets that are not one per zone.",
        "network.public_subnets: lists 3 subnet(s) for 2 zone(s); give one per zone",
    ),
    Code.SUBNET_OUTSIDE: (
        "A given subnet that lies outside the VPC block.",
        "network.public_subnets[1]: 10.2.1.0/24 is not inside the VPC block 10.1.0.0/16",
    ),
    Code.SUBNET_SIZE: (
        "A given subnet smaller than /28.",
        "network.public_subnets[0]: 10.1.0.0/29 is smaller than /28, the least AWS allows",
    ),
    Code.SUBNET_OVERLAP: (
        "Two subnets that overlap.",
        "network.private_subnets[0]: 10.1.1.0/24 overlaps 10.1.1.0/24 (public_subnets[1])",
    ),
    Code.AWS_ID_INVALID: (
        "An ID or ARN of existing infrastructure (a VPC, subnet or security group ID; a listener, certificate, table or queue ARN) that does not have its shape.",
        "network.existing.vpc_id: 'vpc-12345' is not a VPC ID: 'vpc-' and 8 or 17 lower-case hex digits, like 'vpc-0123456789abcdef0'",
    ),
    Code.ARN_REGION: (
        "An existing listener or certificate in another region than the one that uses it (the stack's; us-east-1 for CloudFront).",
        "load_balancers.shared.certificate: certificate 'web' was issued in us-east-1; load_balancers.shared takes one issued in eu-west-1",
    ),
    Code.ARN_ACCOUNT: (
        "An existing listener or certificate in another AWS account than the environment's 'account', or a listener and the certificate added to it in two accounts.",
        "load_balancers.shared.existing.listener_arn: the listener is in account 123456789012; environment prod deploys to account 222222222222, and rules and target groups are made beside their listener (in environment prod)",
    ),
    Code.EXISTING_MIXED: (
        "'existing' written beside keys that describe what blueprint would create instead.",
        "network: 'existing' uses a network blueprint does not create: remove 'cidr', which only describes one it creates",
    ),
    Code.SUBNET_TWICE: (
        "An existing subnet listed twice, or in both tiers.",
        "network.existing.private_subnets[0]: subnet-0a1b2c3d4e5f60011 is already public_subnets[0]; list each subnet once, in the tier its route table makes it",
    ),
    Code.SUBNETS_TOO_FEW: (
        "An existing network with fewer subnets in a tier than what sits there needs (two zones for load balancers, databases and replicated caches; one for the rest).",
        "network.existing.private_subnets: databases.main needs subnets in 2 availability zones of the private tier; private_subnets lists 1",
    ),
    Code.DATA_AZS: (
        "A database or replicated cache with fewer than two availability zones.",
        "network.azs: databases.main needs subnets in at least 2 availability zones (RDS subnet groups and replicated caches span two); set azs: 2 or more",
    ),
    Code.NO_WAY_OUT: (
        "Something in private subnets that starts connections out (Fargate tasks, EC2 capacity, instances) while 'network.nat: none' gives the private subnets no way out (a warning).",
        "instances.web.subnets: private subnets have no NAT ('network.nat: none'): instances cannot reach Session Manager, AWS APIs or the internet",
    ),
    Code.NETWORK_UNUSED: (
        "A 'network' section in a blueprint where nothing sits in a VPC: no VPC is made (a warning).",
        "network: nothing in this blueprint sits in a VPC (functions, tables, buckets, queues and APIs run outside one), so no VPC is made; remove 'network' or keep it for when something needs it",
    ),
    Code.ZONE_UNKNOWN: (
        "A name of a zone that is not under 'zones:'.",
        "certificates.bot.zone: unknown zone 'mian'; did you mean 'main'? (defined: 'main')",
    ),
    Code.DOMAIN_OUTSIDE_ZONE: (
        "A domain name that lies in none of the blueprint's zones (or not in the zone named).",
        "load_balancers.web.aliases[1]: 'bot.example.org' is not inside any zone (zones: example.com); add a zone under 'zones:' that contains it",
    ),
    Code.ZONE_FOR_CLOUDFRONT: (
        "The zone of a CloudFront certificate is created by the stack, but the certificate is issued before it.",
        "zones.main: certificate 'blog' is for CloudFront, so it is issued in us-east-1 before this stack exists; zone 'main' must already exist: create it first, then set 'existing_id'",
    ),
    Code.CERTIFICATE_UNKNOWN: (
        "A name of a certificate that is not under 'certificates:'.",
        "distributions.blog.certificate: unknown certificate 'blogs'; did you mean 'blog'? (defined: 'blog')",
    ),
    Code.CERTIFICATE_NAME_TWICE: (
        "A certificate lists its own domain among its alternative names.",
        "certificates.bot.alternative_names[1]: 'bot.example.com' is already the certificate's domain",
    ),
    Code.CERTIFICATE_NOT_COVERING: (
        "A certificate that does not cover a name it must serve.",
        "distributions.blog.aliases[1]: certificate 'blog' (blog.example.com) does not cover 'www.example.com'; add it to the certificate's alternative_names",
    ),
    Code.CERTIFICATE_REGION: (
        "A certificate issued in us-east-1 for CloudFront, also used where the stack's region is needed.",
        "load_balancers.web.certificate: certificate 'blog' is issued in us-east-1 for CloudFront; a load balancer in ap-northeast-1 needs a certificate of its own",
    ),
    Code.CERTIFICATE_NAMES_MANY: (
        "A certificate with more names than ACM's default quota of 10 (a warning: the quota can be raised).",
        "certificates.main.alternative_names: 12 names are over ACM's default quota of 10 per certificate: ask AWS to raise it before deploying, or split the certificate",
    ),
    Code.LOAD_BALANCER_AZS: (
        "A load balancer with fewer than two availability zones.",
        "network.azs: load balancer 'web' needs subnets in at least 2 availability zones; set azs: 2 or more",
    ),
    Code.HTTPS_CERTIFICATE_MISSING: (
        "An HTTPS listener without a certificate.",
        "load_balancers.web: an HTTPS listener needs a certificate: add 'certificate: NAME' (or set 'https: false' and 'http: forward' for plain HTTP)",
    ),
    Code.CERTIFICATE_UNUSED: (
        "A certificate on a load balancer whose HTTPS is off.",
        "load_balancers.web.certificate: a certificate is set but 'https' is false; remove one of them",
    ),
    Code.HTTP_BESIDE_HTTPS: (
        "Plain HTTP forwarding beside HTTPS, which would serve the routes unencrypted.",
        "load_balancers.web.http: with HTTPS on, plain HTTP would expose the same routes unencrypted: use 'http: redirect' (the default) or 'http: off'",
    ),
    Code.LISTENER_NONE: (
        "A load balancer whose settings leave no listener serving the routes.",
        "load_balancers.web.http: with 'https: false' the HTTP listener must serve the routes: set 'http: forward' (it is 'redirect')",
    ),
    Code.ALIAS_NOT_COVERED: (
        "A load balancer alias that its certificate does not cover (a warning).",
        "load_balancers.web.aliases[1]: 'bot.example.org' is not covered by certificate 'bot' (bot.example.com); browsers will reject it",
    ),
    Code.LOAD_BALANCER_URL_UNKNOWN: (
        "'{ref: load_balancers.NAME.url}' names a load balancer that listens for HTTPS and has no alias its certificate covers: only an alias is routed to it (the certificate's own name may be another site's), and at its own DNS name every client would get a certificate error.",
        "services.bot.containers.app.environment.PUBLIC_URL.ref: load_balancers.web listens for HTTPS and has no alias, and nothing in the blueprint routes a name of certificate 'bot' (*.example.com) to it: only an alias gets a DNS record for the load balancer, and at its own DNS name (*.elb.amazonaws.com) every client would get a certificate error; add an alias the certificate covers (aliases: [web.example.com]), or for plain HTTP read {ref: load_balancers.web.dns_name}",
    ),
    Code.ROUTE_NAME_TWICE: (
        "Two routes of one load balancer with the same name.",
        "load_balancers.web.routes[1].service: routes[0] already routes to 'bot'; give each of the routes a distinct 'name:'",
    ),
    Code.ROUTE_TWICE: (
        "Two routes of one load balancer with the same hosts and paths.",
        "load_balancers.web.routes[1]: duplicates routes[0]: the same hosts and paths",
    ),
    Code.ROUTE_PRIORITY_TWICE: (
        "Two routes on one listener set the same 'priority:': of one load balancer, of two entries on one existing listener, or of two environments there (numbers left to blueprint never clash).",
        "load_balancers.web.routes[1].priority: priority 10 is also routes[0]'s; set a distinct 'priority:' on one of them",
    ),
    Code.LISTENER_CERTIFICATE_TWICE: (
        "Two load balancer entries on one existing listener add the same certificate to it: removing either would take it off the listener the other still serves.",
        "load_balancers.public.certificate: load_balancers.admin adds certificate 'web' to the same listener; add it from one of them (removing either would take it off)",
    ),
    Code.ROUTE_PRIORITY_HELD: (
        "A route's 'priority:' is a number another listener rule holds in the last build in the output folder (another route's, kept, moved or removed since; or this route's own, in the stack of the service it no longer routes to): it still holds it when this route's rule is deployed.",
        "load_balancers.web.routes[0].priority: priority 41980: the rule of route 'zulu' holds 41980 from the last build; choose another number, or first give route 'zulu' another one, or remove it, in a deploy of its own",
    ),
    Code.ROUTES_TOO_MANY: (
        "More routes on one load balancer than AWS allows (100).",
        "load_balancers.web.routes[100]: load balancer web would have more than 100 routes, each a target group and a listener rule: the most AWS allows on one load balancer; put the routes from here on on another load balancer",
    ),
    Code.ROUTE_PORT_MISSING: (
        "A route to a service none of whose containers (or not the one named) has a port.",
        "load_balancers.web.routes[0].service: no container of service 'bot' has a 'port:'; add one to the container that serves HTTP",
    ),
    Code.ROUTE_PORT_MISMATCH: (
        "A route port that differs from the container's port.",
        "load_balancers.web.routes[0].port: port 80 does not match container 'app' port 8080; the target group must use the container port",
    ),
    Code.ROUTE_CONTAINER_AMBIGUOUS: (
        "A route to a service with several containers with ports, without 'container:'.",
        "load_balancers.web.routes[0]: service 'bot' has 2 containers with a port ('app' or 'metrics'); say which with 'container:'",
    ),
    Code.ROUTE_CONDITIONS_TOO_MANY: (
        "A route whose listener rule would match more than 3 hosts or 3 paths, or more than 5 values in all.",
        "load_balancers.web.routes[0]: 3 hosts and 3 paths make 6 values; a listener rule takes at most 5: split the route in two (with a 'name' each)",
    ),
    Code.ROUTE_PRIORITY_NEEDED: (
        "A route on an existing listener without an explicit priority (blueprint cannot see the rules already there).",
        "load_balancers.shared.routes[0]: a route on an existing listener needs 'priority:' (1 to 50000), one no other rule on that listener holds: blueprint cannot see those rules",
    ),
    Code.ROUTE_MATCH_NEEDED: (
        "A route on an existing listener with neither hosts nor paths (the listener's default action is not blueprint's).",
        "load_balancers.shared.routes[0]: a route on an existing listener needs 'hosts' or 'paths': the listener's default action is not blueprint's to change",
    ),
    Code.LISTENER_VPC: (
        "Routes on an existing listener in a blueprint that creates its own network (target groups must be in the listener's VPC).",
        "load_balancers.shared.existing: routes on an existing listener need the existing network its load balancer is in (target groups are made in that VPC): set network.existing",
    ),
    Code.HEALTH_CHECK_TIMEOUT: (
        "A target group health check whose timeout is not below its interval.",
        "load_balancers.web.routes[0].health_check: timeout_seconds (30) must be less than interval_seconds (30)",
    ),
    Code.SERVICE_UNKNOWN: (
        "A name of a service that is not under 'services:'.",
        "load_balancers.web.routes[0].service: unknown service 'bto'; did you mean 'bot'? (defined: 'bot')",
    ),
    Code.CONTAINER_UNKNOWN: (
        "A name of a container that is not in the task.",
        "services.ghost.containers.nginx.depends_on.blog: unknown container 'blog' (this task has 'ghost' or 'nginx')",
    ),
    Code.CONTAINER_DEPENDS_ON_SELF: (
        "A container that waits for itself.",
        "services.ghost.containers.nginx.depends_on.nginx: a container cannot wait for itself",
    ),
    Code.VARIABLE_TWICE: (
        "A variable that is both in 'environment' and in 'secrets'.",
        "services.bot.containers.app.secrets.ACCESS_TOKEN: 'ACCESS_TOKEN' is also in 'environment'; keep one",
    ),
    Code.FARGATE_SIZE: (
        "A cpu and memory pair that Fargate does not offer.",
        "services.worker.cpu: 300 is not a Fargate cpu size: use 256, 512, 1024, 2048, 4096, 8192 or 16384 (1024 = 1 vCPU)",
    ),
    Code.SERVICE_NO_EGRESS: (
        "Tasks in public subnets without a public IP: they cannot reach the internet to pull images.",
        "services.worker.public_ip: tasks in public subnets need 'public_ip: true' to reach the internet (to pull images); or use 'subnets: private' with NAT",
    ),
    Code.PUBLIC_IP_PRIVATE: (
        "A public IP asked for in a private subnet.",
        "instances.web.public_ip: a public IP does nothing in a private subnet; use 'subnets: public' or drop 'public_ip'",
    ),
    Code.CAPACITY_UNKNOWN: (
        "A capacity provider that is neither Fargate nor an ec2_capacity entry.",
        "services.bot.capacity[0].provider: unknown capacity 'fargate_spot': use FARGATE, FARGATE_SPOT or an ec2_capacity entry (none defined); did you mean 'FARGATE_SPOT'?",
    ),
    Code.CAPACITY_TWICE: (
        "A capacity provider listed twice in one strategy.",
        "services.bot.capacity[1].provider: 'FARGATE_SPOT' is already capacity[0]; give each provider once",
    ),
    Code.CAPACITY_BASES: (
        "More than one provider of a strategy with a base above 0.",
        "services.bot.capacity[1].base: only one provider may have a base above 0, and capacity[0] already has one",
    ),
    Code.CAPACITY_MIXED: (
        "A strategy that mixes Fargate and EC2 capacity, or several EC2 capacity entries.",
        "services.app2.capacity: a service runs on Fargate or on EC2 capacity, not both",
    ),
    Code.CAPACITY_SIZE_ORDER: (
        "EC2 capacity whose min_size is above its max_size.",
        "ec2_capacity.hosts.min_size: min_size 3 is above max_size 2",
    ),
    Code.PUBLIC_DNS_WITHOUT_IP: (
        "A public DNS name for a service whose tasks have no public IP.",
        "services.ghost.public_dns: 'public_dns' points a name at the task's public IP: it needs 'public_ip: true'",
    ),
    Code.PUBLIC_DNS_MANY_TASKS: (
        "A public DNS name for a service of several tasks (a warning: it follows the last one started).",
        "services.ghost.public_dns.name: one DNS record follows 2 tasks: it names whichever started last",
    ),
    Code.FILE_SYSTEM_MANY_WRITERS: (
        "Several tasks writing one EFS file system (a warning: EFS does not lock between them).",
        "services.ghost.desired_count: 2 tasks share an EFS file system, and EFS does not lock writes between them; most applications need desired_count: 1",
    ),
    Code.SCALING_RANGE: (
        "A scaling range (of `scaling`, or of a schedule that sets one) whose min is above its max.",
        "services.web.scaling.min: min 5 is above max 3; min is the fewest tasks, max the most",
    ),
    Code.SCALING_NO_TARGET: (
        "`scaling` without a target to track (cpu, memory, requests_per_target, or a queue's backlog): nothing would move the count between min and max.",
        "services.web.scaling: scaling needs a target to track: give cpu, memory, requests_per_target or queue with messages_per_task (e.g. 'cpu: 70')",
    ),
    Code.SCALING_BACKLOG_INCOMPLETE: (
        "Backlog scaling with only one of its two keys: `queue` names what to measure, `messages_per_task` the backlog per task to keep.",
        "services.worker.scaling: scaling on a queue's backlog needs both 'queue' and 'messages_per_task': 'messages_per_task' is given without 'queue' (e.g. 'queue: jobs, messages_per_task: 10')",
    ),
    Code.SCALING_QUEUE_NOT_CONSUMED: (
        "A service scaled on a queue it has no permission to consume: its tasks could never work the backlog off, so it would run at max.",
        "services.worker.scaling.queue: 'worker' scales on the backlog of queue 'orders' but cannot consume it: give it the permission '{queue: orders, access: consume}'",
    ),
    Code.SCALING_REQUESTS_WITHOUT_LOAD_BALANCER: (
        "`requests_per_target` on a service no load balancer routes to: the metric counts a target group's requests.",
        "services.worker.scaling.requests_per_target: requests per target are counted by a load balancer's target group, and no route sends traffic to 'worker'; scale on cpu or memory",
    ),
    Code.SCALING_FROM_ZERO: (
        "`scaling.min: 0` with only targets measured on running tasks (a warning): once at 0 tasks they have no data, and target tracking does not act without data, so nothing starts the service again.",
        "services.web.scaling.min: at 0 tasks there is no cpu to measure, and target tracking does not act without data: nothing would start the service again; give min 1, or a schedule that raises min",
    ),
    Code.COUNT_MANAGED: (
        "`desired_count` on a service whose count `scaling` or schedules own: its template leaves the running count alone, so the value could not hold.",
        "services.web.desired_count: 'scaling' owns the count of this service (min 2 to max 8), and deploys never reset it: drop 'desired_count'",
    ),
    Code.SCHEDULE_SETS: (
        "A schedule that sets the wrong thing: `desired_count` for a service without `scaling`, `min` and `max` for one with it.",
        "schedules.night.desired_count: service 'web' has 'scaling': a schedule sets its range with 'min' and 'max', not 'desired_count'",
    ),
    Code.CONTAINER_NONE_ESSENTIAL: (
        "Every container of a task has 'essential: false'; ECS needs at least one essential container.",
        "services.bot.containers: every container has 'essential: false'; ECS needs at least one essential container in a task",
    ),
    Code.MOUNT_PATH_TWICE: (
        "A container mounts two file systems (or one twice) on the same path.",
        "services.ghost.containers.app.mounts: '/data' is mounted twice; a container path takes one mount",
    ),
    Code.CONTAINER_PORT_TWICE: (
        "Two containers of a Fargate task listen on one port; they share the task's network interface.",
        "services.bot.containers.side.port: container 'app' of this task listens on 8080 too; the containers of a task share one network, so each needs a port of its own",
    ),
    Code.MEMORY_RESERVATION_OVER: (
        "A container's memory_reservation is more than the task's memory.",
        "services.bot.containers.app.memory_reservation: 1024 MiB is more than the task's memory (512 MiB)",
    ),
    Code.FARGATE_SPOT_ARM64: (
        "An ARM64 service on Fargate Spot, which runs only X86_64 tasks.",
        "services.bot.architecture: Fargate Spot runs only X86_64 tasks; use 'capacity: fargate' for ARM64",
    ),
    Code.CONTAINER_CONDITION_INVALID: (
        "A depends_on condition ECS refuses: COMPLETE or SUCCESS on an essential container, HEALTHY on a container without a health_check.",
        "services.bot.containers.app.depends_on.migrate: COMPLETE waits for 'migrate' to exit, so 'migrate' needs 'essential: false' (or wait for START)",
    ),
    Code.ALLOW_FROM_SELF: (
        "A service's 'allow_from' names the service itself.",
        "services.pricing.allow_from[1]: 'pricing' names itself: its tasks are not admitted to each other, and a service needs no rule to call itself inside one task; remove it",
    ),
    Code.ALLOW_FROM_WITHOUT_PORT: (
        "A service with 'allow_from' whose containers have no 'port:': callers are admitted on the containers' ports, and its address names one.",
        "services.pricing.allow_from: callers reach 'pricing' on its containers' ports, and no container has a 'port:'; give the container that serves them one",
    ),
    Code.ALLOW_FROM_SHARED_HOSTS: (
        "'allow_from' on a service on EC2 capacity: its tasks share the hosts' security group on dynamic ports (bridge networking), so callers would be admitted to every task on those hosts, and Cloud Map A records need awsvpc.",
        "services.pricing.allow_from: 'pricing' runs on ec2_capacity 'hosts', whose tasks share the hosts' security group on dynamic ports: a rule admitting callers to it would admit them to every task on those hosts. Run it on Fargate to reach it by name",
    ),
    Code.SERVICE_NO_ADDRESS: (
        "'{ref: services.NAME.url}' names a service without 'allow_from': only a service reached by name has an address of its own.",
        "services.web.containers.app.environment.PRICING_URL.ref: service 'pricing' has no address of its own: give it 'allow_from' naming the services and jobs that call it (they then reach it by name), or reach it through its load balancer",
    ),
    Code.SERVICE_CALLER_NOT_ALLOWED: (
        "An entry reads a service's address ('{ref: services.NAME.url}') but that service's 'allow_from' does not name it, or cannot (a function): its connections would be refused.",
        "services.web.containers.app.environment.PRICING_URL.ref: services.pricing.allow_from names 'report', not 'web': its connections to 'pricing' would be refused; add 'web' there",
    ),
    Code.FUNCTION_OUTSIDE_VPC: (
        "A function reads the address of something that answers only inside the VPC (a database, a cache, a file system), while functions run outside it (a warning).",
        "functions.report.environment.DB_HOST.ref: functions run outside the VPC, and databases.main answers only inside it: the function would get its address and never connect; read it from a service or job, or reach the data through an API",
    ),
    Code.CONTAINER_DEPENDS_ON_CYCLE: (
        "Containers of a task that wait for each other in a circle.",
        "services.bot.containers.app.depends_on: 'app' waits, through the containers it depends on, for itself",
    ),
    Code.INSTANCE_GROUP_UNKNOWN: (
        "A name of an instance group that is not under 'instances:'.",
        "load_balancers.web.routes[0].instances: unknown instance group 'webs'; did you mean 'web'? (defined: 'bastion' or 'web')",
    ),
    Code.USER_DATA_TWICE: (
        "Both 'user_data' and 'user_data_file'.",
        "instances.web.user_data_file: give 'user_data' or 'user_data_file', not both",
    ),
    Code.ARCHITECTURE_MISMATCH: (
        "An instance group whose AMI architecture is not its instance type's (Graviton types are arm64).",
        "instances.web.instance_type: t4g.micro is a Graviton (arm64) type, and the AMI is x86_64; set 'architecture: arm64' or pick an x86_64 type",
    ),
    Code.SSH_FROM_INTERNET: (
        "SSH open to 0.0.0.0/0: refused, or a warning when 'allow_ssh_from_internet' is set.",
        "instances.bastion.ssh_from[0]: SSH from the whole internet is refused: name the CIDR blocks you connect from, use Session Manager, or set 'allow_ssh_from_internet: true' if you really mean it",
    ),
    Code.SOURCE_UNKNOWN: (
        "A name in 'allow_from' or 'ssh_from' that is no service, job, instance group or ec2_capacity entry.",
        "caches.sessions.allow_from[1]: unknown service, job, instance group or ec2_capacity entry 'app3'; did you mean 'app2'? (defined: 'app1', 'app2' or 'hosts')",
    ),
    Code.SOURCE_AMBIGUOUS: (
        "A name in 'allow_from' or 'ssh_from' that is both a service and a job: each has a security group of its own, and a rule could admit either.",
        "databases.main.allow_from[0]: 'migrate' is both a service and a job, each with a security group of its own: rename one of them to say which may connect",
    ),
    Code.SOURCE_SHARES_HOSTS: (
        "A service or job on EC2 capacity named in 'allow_from' or 'ssh_from': its tasks share the hosts' security group, so a rule for it would admit every task on that capacity; name the capacity entry instead.",
        "caches.sessions.allow_from[0]: service 'app1' runs on ec2_capacity 'hosts', whose tasks share the hosts' security group (bridge networking): a rule for 'app1' would admit every service and job on 'hosts'. Name 'hosts' to admit them all, or run 'app1' on Fargate to give it a security group of its own",
    ),
    Code.FUNCTION_UNKNOWN: (
        "A name of a function that is not under 'functions:'.",
        "websocket_apis.chat.routes.$connect: unknown function 'onconnect'; did you mean 'connect'? (defined: 'connect' or 'message')",
    ),
    Code.FUNCTION_IMAGE_RUNTIME: (
        "A runtime or handler on a function whose code is an image.",
        "functions.connect.runtime: an image function takes no runtime or handler: the image's settings decide",
    ),
    Code.FUNCTION_NAME_TOO_LONG: (
        "The function's name (the blueprint's name, '-', the entry's name) is over Lambda's 64 characters.",
        "functions.process-uploaded-images-and-thumbnails: the function's name 'media-pipeline-production-process-uploaded-images-and-thumbnails' (the blueprint's name, '-' and the entry's) is 65 characters; Lambda takes at most 64: shorten either",
    ),
    Code.ENVIRONMENT_TOO_LARGE: (
        "A function's environment variables take more than Lambda's 4 KB, names and values together.",
        "functions.api.environment: the variables' names and values take 5,120 bytes; Lambda takes at most 4,096 in all (keep large values in S3 or SSM and read them at start-up)",
    ),
    Code.REFERENCE_SECTION_UNKNOWN: (
        "A reference to a section the blueprint does not have.",
        "services.app1.containers.app.environment.REDISCLUSTERENDPOINT.ref: unknown reference section 'cache'; did you mean 'caches'? (references name an entry of 'buckets', 'caches', 'databases', 'distributions', 'file_systems', 'load_balancers', 'queues', 'tables' or 'websocket_apis')",
    ),
    Code.REFERENCE_SECTION_UNREFERENCEABLE: (
        "A reference to a section of the blueprint whose entries have no attribute a reference can name (zones, certificates, ...).",
        "functions.hook.environment.ZONE_ID.ref: section 'zones' has nothing a reference can name; references name an entry of 'buckets', 'caches', 'databases', 'distributions', 'file_systems', 'load_balancers', 'queues', 'tables' or 'websocket_apis'",
    ),
    Code.REFERENCE_ATTRIBUTE_UNKNOWN: (
        "A reference to an attribute its section does not have, or that blueprint cannot know (an existing load balancer's DNS name).",
        "services.app2.containers.app.environment.REDISCLUSTERENDPOINT.ref: unknown attribute 'endpoint' of caches.sessions (use 'address' or 'port')",
    ),
    Code.REFERENCE_QUOTED: (
        "A quoted value that looks like a reference, or user data's '${ref:...}' in an environment, and so is plain text (a warning).",
        "functions.connect.environment.TABLE_NAME: this looks like a reference but is quoted, so it is plain text: remove the quotes to make it a reference",
    ),
    Code.SECRET_IN_PLAIN_TEXT: (
        "A secret in plain text (a warning): an environment variable named like one, or a value that is one (a URL with a password, a GitHub or Slack token, a JWT, an AWS access key ID, a private key) in an environment or an instance's user data.",
        "services.bot.containers.app.environment.CHANNEL_SECRET: 'CHANNEL_SECRET' looks like a secret in plain text; move it to 'secrets:' as an SSM or Secrets Manager reference",
    ),
    Code.BUCKET_UNKNOWN: (
        "A name of a bucket that is not under 'buckets:'.",
        "instances.web.permissions[0].bucket: unknown bucket 'rails-api-images-bucket' (defined: 'images')",
    ),
    Code.TABLE_UNKNOWN: (
        "A name of a table that is not under 'tables:'.",
        "functions.message.permissions[0].table: unknown table 'connection'; did you mean 'connections'? (defined: 'connections')",
    ),
    Code.DATABASE_UNKNOWN: (
        "A name of a database that is not under 'databases:'.",
        "services.api.permissions[0].database: unknown database 'mian'; did you mean 'main'? (defined: 'main')",
    ),
    Code.CACHE_UNKNOWN: (
        "A name of a cache that is not under 'caches:'.",
        "services.app2.containers.app.environment.REDISCLUSTERENDPOINT.ref: unknown cache 'session'; did you mean 'sessions'? (defined: 'sessions')",
    ),
    Code.FILE_SYSTEM_UNKNOWN: (
        "A name of a file system that is not under 'file_systems:'.",
        "services.ghost.containers.ghost.mounts[0].file_system: unknown file system 'contents'; did you mean 'content'? (defined: 'content')",
    ),
    Code.ACCESS_POINT_PATH_INVALID: (
        "An access point path EFS refuses: more than four directories, over 100 characters, "
        "a directory starting with '.', a blank or a shell metacharacter.",
        "file_systems.content.access_points.ghost.path: '/ghost content' is not an access "
        "point path: '/' or up to four directories ('/ghost/content'), none starting with "
        "'.' and without blanks or any of $#<>;`|&?{}^*",
    ),
    Code.ACCESS_POINT_UNKNOWN: (
        "A name of an access point the file system does not have.",
        "services.ghost.containers.nginx.mounts[0].access_point: unknown access point 'ngnix'; did you mean 'nginx'? (defined: 'ghost' or 'nginx')",
    ),
    Code.WEBSOCKET_API_UNKNOWN: (
        "A name of a WebSocket API that is not under 'websocket_apis:'.",
        "functions.message.permissions[1].websocket_api: unknown websocket api 'chats'; did you mean 'chat'? (defined: 'chat')",
    ),
    Code.LOAD_BALANCER_UNKNOWN: (
        "A reference to a load balancer that is not under 'load_balancers:'.",
        "functions.hook.environment.API_URL.ref: unknown load balancer 'api' (defined: 'web')",
    ),
    Code.DISTRIBUTION_UNKNOWN: (
        "A reference to a distribution that is not under 'distributions:'.",
        "services.api.containers.app.environment.SITE.ref: unknown distribution 'site'; did you mean 'sites'? (defined: 'sites')",
    ),
    Code.TABLE_CAPACITY_ON_DEMAND: (
        "Read or write capacity on a table billed on demand.",
        "tables.connections.read_capacity: 'read_capacity' applies only with 'billing: provisioned'",
    ),
    Code.TABLE_KEY_TWICE: (
        "A table whose sort key is its partition key.",
        "tables.connections.sort_key.name: the sort key must differ from the partition key",
    ),
    Code.QUEUE_UNKNOWN: (
        "A name of a queue that is not under 'queues:' (in a permission, a function's 'queue', or a reference).",
        "functions.api.permissions[0].queue: unknown queue 'order'; did you mean 'orders'? (defined: 'orders')",
    ),
    Code.QUEUE_NAME_TOO_LONG: (
        "A queue's dead-letter queue name (the blueprint's name, '-', the entry's, '-dlq', and '.fifo' for a FIFO queue) is over SQS's 80 characters.",
        "queues.process-uploaded-images-and-thumbnails-x: the dead-letter queue's name 'media-pipeline-production-east-1-process-uploaded-images-and-thumbnails-x-dlq.fifo' (the blueprint's name, '-', the entry's, '-dlq' and '.fifo') is 82 characters; SQS takes at most 80: shorten either",
    ),
    Code.QUEUE_FIFO_ONLY: (
        "A setting only FIFO queues take, on a standard queue.",
        "queues.orders.content_based_deduplication: content-based deduplication is for FIFO queues only: add 'fifo: true' or remove it",
    ),
    Code.QUEUE_BATCH_SIZE: (
        "A function takes more than 10 messages a batch from a FIFO queue; Lambda refuses it.",
        "functions.worker.queue.batch_size: 11 messages a batch; Lambda takes at most 10 from a FIFO queue (queues.payments is FIFO)",
    ),
    Code.QUEUE_BATCHING_WINDOW: (
        "A batching window on a FIFO queue's subscription, or none on a standard queue's with batches above 10 messages; Lambda refuses either.",
        "functions.worker.queue.batch_size: a batch of more than 10 messages needs a batching window: set max_batching_window_seconds (1 to 300)",
    ),
    Code.QUEUE_VISIBILITY_TIMEOUT: (
        "A queue's visibility timeout below the timeout of the function that consumes it; Lambda refuses the subscription.",
        "functions.worker.queue.name: queues.orders.visibility_timeout_seconds (60) is below the function's timeout_seconds (120): Lambda refuses the subscription; raise the queue's visibility timeout (AWS advises six times the function's timeout, 720)",
    ),
    Code.ENGINE_VERSION_DEPRECATED: (
        "An RDS engine version AWS has deprecated: a running database keeps it, a new one "
        "cannot be created at it (the data cfn-lint ships, its W3691).",
        "databases.main.version: warning: RDS no longer creates postgres 16.4 instances "
        "(deprecated): a database already running it keeps running, a new one fails to "
        "create; newer: 16.9, 16.10, 16.11, ...",
    ),
    Code.TABLE_CAPACITY_QUOTA: (
        "Provisioned capacity past DynamoDB's default quota (40,000 units a table, 80,000 an "
        "account, each for reads and for writes); a warning, as the quota can be raised.",
        "tables.events.read_capacity: warning: 50000 read capacity units are over DynamoDB's "
        "default quota of 40000 a table; ask for a higher quota before deploying (Service "
        "Quotas, DynamoDB), or the table will not be created",
    ),
    Code.DATABASE_TLS_UNSUPPORTED: (
        "A database that should refuse plain connections (require_tls, on by default) at a "
        "version whose parameter groups cannot say so: MySQL before 5.7, MariaDB before 10.5, "
        "or a PostgreSQL version without the minor number its parameter group family needs.",
        "databases.main.version: mariadb 10.4.34 cannot refuse connections without TLS "
        "(require_secure_transport comes with MariaDB 10.5): use version 10.5 or newer, or "
        "set 'require_tls: false'",
    ),
    Code.DATABASE_TLS_OFF: (
        "A database whose blueprint turns require_tls off: it accepts connections without TLS "
        "where RDS's default parameter group does (a warning).",
        "databases.main.require_tls: warning: the database accepts connections without TLS "
        "(passwords and data in clear text on the network); remove 'require_tls: false' "
        "unless a client cannot use TLS",
    ),
    Code.DATABASE_STORAGE_ORDER: (
        "A database whose max_storage_gb is not above storage_gb.",
        "databases.main.max_storage_gb: max_storage_gb must be above storage_gb (100)",
    ),
    Code.ENGINE_VERSION_UNOFFERED: (
        "An RDS or ElastiCache engine version the service does not offer (the lists cfn-lint ships); Valkey starts at 7.2.",
        "caches.sessions.version: ElastiCache offers no valkey 7.1; it offers 7.2, 8.0, 8.1, 8.2, 9.0, 9.1",
    ),
    Code.INSTANCE_CLASS_UNOFFERED: (
        "An RDS instance class or ElastiCache node type not offered for the engine in the blueprint's region (the lists cfn-lint ships).",
        "databases.main.instance_class: RDS offers no db.t4g.huge for postgres in ap-northeast-1; it offers db.t4g.2xlarge, db.t4g.large, db.t4g.medium, db.t4g.micro, db.t4g.small, db.t4g.xlarge, ...",
    ),
    Code.ROUTE_KEY_INVALID: (
        "A WebSocket route key API Gateway refuses.",
        "websocket_apis.chat.routes.send message: 'send message' is not a route key: use $connect, $disconnect, $default or an action name of letters, digits, _ . -",
    ),
    Code.ROUTE_SELECTION_INVALID: (
        "A WebSocket API's route_selection that does not start with '$request.'.",
        "websocket_apis.chat.route_selection: 'body.action' is not a route selection expression: it starts with '$request.', e.g. '$request.body.action'",
    ),
    Code.ORIGIN_SHAPE: (
        "A distribution's origin that is neither 'domain:' nor 'bucket:'.",
        "distributions.www.origin: an origin is a mapping with 'domain: NAME' (a DNS name) or 'bucket: NAME' (a bucket of this blueprint)",
    ),
    Code.ORIGIN_S3_ENDPOINT: (
        "A domain origin that is an S3 endpoint (a warning): CloudFront would reach the bucket as any client does, and a private bucket answers 403 to every request.",
        "distributions.www.origin.domain: 'site.s3.amazonaws.com' is an S3 endpoint: CloudFront would fetch from it as an anonymous client and a private bucket answers 403 to every request; serve a bucket of this blueprint with 'origin: {bucket: NAME}' (through an Origin Access Control)",
    ),
    Code.SITE_FOLDER_TWICE: (
        "Two distributions upload a folder into the same bucket: each upload would delete the other's files.",
        "distributions.docs.origin.folder: distribution 'www' uploads a folder into bucket 'site' too, and each upload deletes what the other put there; name the folder on one of them",
    ),
    Code.SITE_BUCKET_WRITTEN: (
        "A bucket a distribution uploads a folder into is also written by a service, job, function or instance (a warning): each deploy's upload deletes what that writer put there.",
        "services.api.permissions[0]: this grants writing to bucket 'site', into which distribution 'www' uploads folder 'site' on each deploy with 'aws s3 sync --delete': whatever service 'api' puts there is deleted by the next deploy; give what it writes a bucket of its own",
    ),
    Code.ROOT_OBJECT_INVALID: (
        "A distribution's default root object CloudFront refuses: longer than 255 characters, a character outside A-Z a-z 0-9 _ - . * $ / ~ \" ' &, or a slash at either end.",
        "distributions.www.default_root_object: 'app?v=1.html' holds '?', which CloudFront refuses in a default root object: use letters, digits and _ - . * $ / ~ \" ' &",
    ),
    Code.AUTHORIZER_IDENTITY_INVALID: (
        "A WebSocket authorizer's identity source that is not a header, a query string parameter or a context variable; a stage variable (the stage sets none, so API Gateway would refuse every connection); or a source named twice (header names are case-insensitive).",
        "websocket_apis.chat.authorizer.identity[0]: 'cookie.session' is not an identity source: write header.NAME, querystring.NAME or context.NAME",
    ),
    Code.AUTHORIZER_WITHOUT_CONNECT: (
        "A WebSocket API with an authorizer but no $connect route (API Gateway runs authorizers only on $connect).",
        "websocket_apis.chat.authorizer: the authorizer runs only on the $connect route, and this API has none: add '$connect: FUNCTION' to 'routes'",
    ),
    Code.ORIGIN_HTTP: (
        "A CloudFront origin reached over plain HTTP (a warning).",
        "distributions.blog.origin.protocol: CloudFront reaches the origin over plain HTTP: traffic between them, logins included, is not encrypted",
    ),
    Code.ORIGIN_VARIABLE_TAKEN: (
        "A CloudFront origin's container that already defines the variable its distribution's secret header is given in.",
        "services.ghost.containers.nginx.environment.ORIGIN_VERIFY_BLOG: ORIGIN_VERIFY_BLOG holds the X-Origin-Verify header's secret of distribution 'blog', whose origin this container is; give this variable another name",
    ),
    Code.ORIGIN_PORT: (
        "A service that is a CloudFront origin with no container on the origin's port.",
        "distributions.blog.origin: service 'ghost' has no container listening on port 8080, the origin's port",
    ),
    Code.DISTRIBUTION_TTL_ORDER: (
        "Cache times out of order (min above default, or default above max).",
        "distributions.blog.cache.min_ttl_seconds: 600 is above default_ttl_seconds (300)",
    ),
    Code.DISTRIBUTION_NO_CACHE: (
        "A distribution's cache policy with every TTL at 0, which CloudFront refuses with compression on.",
        "distributions.site.cache: every TTL is 0, so CloudFront would cache nothing and refuses the compression distributions use; give max_ttl_seconds (and default_ttl_seconds) a value above 0 and let the origin's Cache-Control decide",
    ),
    Code.LOGICAL_ID_COLLISION: (
        "Two entries whose names make the same logical ID.",
        "services.api: makes the logical ID 'ApiService', which load_balancers.api makes too; rename one of them",
    ),
    Code.OUTPUT_COLLISION: (
        "Two entries whose names make the same stack output name.",
        "load_balancers.chat.routes[0]: makes the output 'ChatWebsocketUrl', which websocket_apis.chat makes too; rename one of them",
    ),
    Code.LOGICAL_ID_UNKNOWN: (
        "A pin in 'logical_ids' for a logical ID that no resource has.",
        "logical_ids.WebServce: no resource has the logical ID 'WebServce'; did you mean 'WebService'?",
    ),
    Code.LOGICAL_ID_TAKEN: (
        "A pin onto a logical ID that another resource already has.",
        "logical_ids.WebService: 'BastionInstance' is already the ID of another resource; pin to an ID no resource uses",
    ),
    Code.LOGICAL_ID_PINNED_TWICE: (
        "Two pins in 'logical_ids' onto one old logical ID.",
        "logical_ids.WebService: 'OldWebService' is kept by logical_ids.ApiService too; one ID names one resource: remove one of the pins",
    ),
    Code.LOGICAL_ID_PIN_CHAIN: (
        "A pin onto a logical ID that another pin moves away (a chain, or a swap).",
        "logical_ids.WebService: 'ApiService' is itself pinned away, by logical_ids.ApiService; a pin cannot take an ID another pin frees (chains and swaps are refused): pin to an ID no resource and no other pin uses",
    ),
    Code.STACK_SPLIT: (
        "An entry whose resources would belong to two services' stacks, or wait for a stack that deploys later.",
        "schedules.nightly: waits for 'ApiService' in stack shop-service-api, which deploys later",
    ),
    Code.STACK_LIMIT: (
        "A stack over CloudFormation's quotas (resources, parameters, outputs, bytes), with headroom.",
        "services.api: stack shop would hold 451 resources; blueprint keeps a stack at 450 or fewer (CloudFormation's quota is 500)",
    ),
    Code.SECURITY_GROUP_RULES_TOO_MANY: (
        "More inbound or outbound rules on one security group than AWS allows (60).",
        "load_balancers.web.routes[60]: security group WebLoadBalancerSecurityGroup would have more than 60 outbound rules, AWS's quota for one group; spread the entries that reach it (for a load balancer: its routes) over more of them",
    ),
    Code.CFN_LINT: (
        "A cfn-lint finding in a rendered template, at the entry that made the resource (a bug in blueprint when it is an error).",
        "services.bot: cfn-lint W3011 in linebot.json line 120 (Resources/BotLogGroup): Both 'UpdateReplacePolicy' and 'DeletionPolicy' are needed",
    ),
    Code.OVERRIDE_PATH_INVALID: (
        "An override's path is not `Properties.NAME[.NAME...]`, `DeletionPolicy` or `UpdateReplacePolicy`, or it cannot be followed in the rendered resource (a list index past its end, a step into a text, a number or an intrinsic function, nothing there to remove).",
        "overrides.WebService.DependsOn: an override changes 'Properties.NAME...', 'DeletionPolicy' or 'UpdateReplacePolicy'; 'DependsOn' is blueprint's to set: it orders resources across the stacks it splits",
    ),
    Code.OVERRIDE_VALUE_NOT_JSON: (
        "An override's value holds what a JSON template cannot: a date, binary data, infinity or not-a-number.",
        "overrides.WebService.Properties.Tags: a date (2026-01-01) at expires cannot be written to a template; quote it: '2026-01-01'",
    ),
    Code.OVERRIDE_ID_UNKNOWN: (
        "An override names a logical ID that no resource of the build has (or one in the stack shared by every blueprint of the account).",
        "overrides.WebServce: no resource of this build has the logical ID 'WebServce'; did you mean 'WebService'?",
    ),
    Code.OVERRIDE_PROPERTY_UNKNOWN: (
        "An override's property is not one the resource type's provider schema describes (as far as it describes nested properties), or is one CloudFormation sets itself (read-only).",
        "overrides.WebService.Properties.DeploymentConfig: AWS::ECS::Service has no property 'DeploymentConfig'; did you mean 'DeploymentConfiguration'?",
    ),
    Code.OVERRIDE_UNPROTECTS: (
        "An override sets `DeletionPolicy` or `UpdateReplacePolicy` to `Delete` (or removes it) on a resource that blueprint retains or snapshots, or on a type that holds data: deleting the stack or replacing the resource would lose the data.",
        "overrides.MainDatabase.DeletionPolicy: blueprint keeps AWS::RDS::DBInstance with DeletionPolicy 'Snapshot'; 'Delete' would lose its data when the stack is deleted (what a snapshot or a retained resource keeps stays in the account: delete it there once it is not needed)",
    ),
    Code.OVERRIDE_OPENS: (
        "A warning: an override admits the whole internet to a port (whatever blocks together cover it), writes a policy statement that allows every action, every resource or everyone (`*`, `NotAction`, `NotResource`, `NotPrincipal`, a document as JSON text too), lets anyone invoke a Lambda function, or attaches a managed policy: what blueprint's sections open only where the blueprint says so. What the rendered resource already opened is not reported.",
        "overrides.WebServiceSecurityGroup.Properties.SecurityGroupIngress: warning: this override admits the whole internet (0.0.0.0/0) to port 22 (TCP); blueprint opens a port to the internet only where a section says so: check that this is meant",
    ),
    Code.PREVIOUS_UNREADABLE: (
        "The earlier build that diff compares with cannot be read (no such git revision, or no build in it).",
        "no-such-ref:1:1: git ls-tree --name-only no-such-ref:templates_out: fatal: Not a valid object name no-such-ref:templates_out",
    ),
    Code.DEPLOYED_UNREADABLE: (
        "diff --deployed cannot read the deployed stacks with the AWS CLI (no CLI, no credentials, no network, no permission), or a deployed template is not one it can compare.",
        'aws:1:1: aws cloudformation describe-stacks --region ap-northeast-1: Unable to locate credentials. You can configure credentials by running "aws configure".',
    ),
    Code.DEPLOYED_ACCOUNT: (
        "diff --deployed runs under credentials of another AWS account than the one the environment names: its stacks would all show as added.",
        "aws:1:1: these credentials are for account 111111111111; environment prod deploys to account 222222222222: use credentials of account 222222222222 (AWS_PROFILE, AWS_ACCESS_KEY_ID) to compare with its stacks",
    ),
}


def markdown() -> str:
    """docs/errors.md: every code, grouped as the catalogue is, with its meaning and an
    example."""
    lines = [
        "# Problem codes",
        "",
        "Every problem blueprint reports carries one of these codes (`--format json` prints",
        "it as `code`). Codes never change meaning, and a new check gets a new code.",
        "Written from `generator/catalogue.py`; edit that, not this page.",
        "",
        "| code | meaning | example |",
        "| --- | --- | --- |",
    ]
    for code, (meaning, example) in CATALOGUE.items():
        cells = [f"`{code.value}`", meaning, example]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"
