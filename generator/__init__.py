"""blueprint: one declarative blueprint.yaml in, linted CloudFormation templates out."""

__version__ = "0.1.0"
