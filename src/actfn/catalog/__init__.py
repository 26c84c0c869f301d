"""The built-in catalog: one module per activation, discovered rather than listed.

Every public module ``actfn/catalog/<name>.py`` defines a module-level ``SPEC`` (a
:class:`~actfn.Spec`); importing this package registers them all (see
:func:`actfn._registry.discover`). Modules whose name starts with ``_`` hold generated
data and are skipped. Third-party packages add activations through the
``actfn.activations`` entry-point group, loaded at the end of ``actfn/__init__.py``
(see CONTRIBUTING.md).
"""

from .._registry import discover

__all__: list[str] = []

discover(__name__, __path__)
