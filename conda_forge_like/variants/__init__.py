"""Variant stage: variant files (``config``), their matrix (``expand``) and the hash.

This package's own import loads nothing, so the command line can name ``MAX_VARIANTS``
without loading YAML or the selectors.
"""

# A matrix beyond this many combinations is refused before anything is rendered or built
# (a recipe using seven keys of nine values each is 4,782,969 builds); `--max-variants`
# raises it.
MAX_VARIANTS = 1000
