"""SQL as sqlglot trees: builders and the per-driver renderer."""

from trilith.sql.render import Params, ParamStyle, RenderedSQL, param, render

__all__ = ["ParamStyle", "Params", "RenderedSQL", "param", "render"]
