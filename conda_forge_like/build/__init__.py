"""Build stage: ``RenderedRecipe`` -> sources, environments, script run, package in a channel.

``build(rendered, options)`` (in ``runner``) is the entry; ``plan`` holds the pure decisions
(what the base plate provides, run dependencies, build order), ``sources`` fetches and
patches, ``environments`` solves and installs with py-rattler, ``script`` runs scripts.
"""
