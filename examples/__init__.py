"""The shipped example blueprints, installed as ``generator.examples`` so that
``blueprint init`` finds them after a plain ``pip install``."""
