"""conda-forge-like: recipe-driven builds of native software into conda packages."""

__version__ = "0.1.0"
