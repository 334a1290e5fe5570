"""The blueprint's sections, one package each: ``model.py`` (pydantic only), ``checks.py``
(its cross-entry rules) and ``render.py`` (troposphere only). The order in which their
rules run is :data:`generator.model.resolve.RULES`; the order in which they render is
:data:`generator.render.stacks.RENDERERS`. See docs/architecture.md."""
