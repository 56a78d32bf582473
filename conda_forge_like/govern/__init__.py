"""Governed channels: policies, labels and promotion, mirrors, SBOMs, provenance, serving.

``policy_file.load(Path("prod.yaml"))`` -> ``Policy``; ``policy.evaluate(policy, facts)`` ->
the rules one package breaks. ``labels`` keeps ``<channel>/label/<name>/<subdir>/
repodata.json``; ``promote`` moves packages between labels atomically; ``mirror`` copies a
channel through a policy; ``sbom`` and ``provenance`` are the ``info/`` attestations every
build carries; ``verify`` rebuilds a package and compares bytes; ``serve`` is an HTTP server.
"""
