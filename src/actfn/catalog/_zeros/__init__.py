"""Generated Taylor tables, one module per activation (tools/gen_zeros.py)."""

__all__: list[str] = []
