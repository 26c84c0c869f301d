"""Regression tests for issue 9 ("Trust"): each case a hostile user found in 0.1.0.

One module per area: CLI files and errors, the kernel cache, the NumPy path, parameter
extremes (with hypothesis), autodiff through the core API, and plain-Python habits.
"""
