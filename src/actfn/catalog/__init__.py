"""The built-in catalog: importing this package registers every activation.

Each module holds one family; each activation is one ``register(Spec(...))`` call.
"""

from . import exponential, gated, relu, shrink, sigmoid, softplus, tanh  # noqa: F401
