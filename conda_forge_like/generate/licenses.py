"""A project's license as an SPDX expression (pure), from whatever its metadata declares.

``spdx_license(None, "MIT License", ())`` -> ``"MIT"``;
``spdx_license(None, None, ("License :: OSI Approved :: BSD License",))`` ->
``"BSD-3-Clause"``. Core metadata 2.4's License-Expression wins, then a License field that is
(or names) an SPDX identifier, then the trove classifiers; None when nothing is recognised.
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import lazy

# Common License-field spellings (lowercased) and the SPDX identifier they mean.
_NAMES = {
    "mit": "MIT",
    "mit license": "MIT",
    "the mit license": "MIT",
    "bsd": "BSD-3-Clause",
    "bsd license": "BSD-3-Clause",
    "new bsd": "BSD-3-Clause",
    "new bsd license": "BSD-3-Clause",
    "3-clause bsd": "BSD-3-Clause",
    "bsd 3-clause": "BSD-3-Clause",
    "bsd-3": "BSD-3-Clause",
    "bsd 2-clause": "BSD-2-Clause",
    "simplified bsd": "BSD-2-Clause",
    "apache": "Apache-2.0",
    "apache 2": "Apache-2.0",
    "apache 2.0": "Apache-2.0",
    "apache-2": "Apache-2.0",
    "apache license 2.0": "Apache-2.0",
    "apache license, version 2.0": "Apache-2.0",
    "apache software license": "Apache-2.0",
    "isc": "ISC",
    "isc license": "ISC",
    "mpl 2.0": "MPL-2.0",
    "mpl-2.0": "MPL-2.0",
    "psf": "PSF-2.0",
    "python software foundation license": "PSF-2.0",
    "gplv2": "GPL-2.0-only",
    "gplv2+": "GPL-2.0-or-later",
    "gplv3": "GPL-3.0-only",
    "gplv3+": "GPL-3.0-or-later",
    "lgplv3": "LGPL-3.0-only",
    "lgplv3+": "LGPL-3.0-or-later",
    "unlicense": "Unlicense",
    "zlib": "Zlib",
}
# OSI trove classifiers (without "License :: OSI Approved :: ") and their SPDX identifier.
_CLASSIFIERS = {
    "MIT License": "MIT",
    "MIT No Attribution License (MIT-0)": "MIT-0",
    "BSD License": "BSD-3-Clause",
    "Apache Software License": "Apache-2.0",
    "ISC License (ISCL)": "ISC",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "Python Software Foundation License": "PSF-2.0",
    "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    "GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0-only",
    "GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "GNU Affero General Public License v3": "AGPL-3.0-only",
    "The Unlicense (Unlicense)": "Unlicense",
    "zlib/libpng License": "Zlib",
    "Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
    "Academic Free License (AFL)": "AFL-3.0",
    "Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
}
_OSI = "License :: OSI Approved :: "
_SPDX_ID = r"[A-Za-z0-9][A-Za-z0-9.+-]*"
_SPDX_EXPRESSION = lazy.regex(rf"^\(?{_SPDX_ID}( (AND|OR|WITH) \(?{_SPDX_ID}\)?)*\)?$")
_KNOWN_IDS = frozenset(_NAMES.values()) | frozenset(_CLASSIFIERS.values())


def spdx_license(
    expression: str | None, license_field: str | None, classifiers: Iterable[str]
) -> str | None:
    """The SPDX expression a project declares, or None when nothing is recognised."""
    if expression:
        return expression
    if license_field:
        found = _from_field(license_field)
        if found:
            return found
    return _from_classifiers(classifiers)


def _from_field(text: str) -> str | None:
    """A short License field: a known name, or an SPDX id as written (a license text is not)."""
    lowered = text.strip().lower()
    if lowered in _NAMES:
        return _NAMES[lowered]
    spelled = {known.lower(): known for known in _KNOWN_IDS}
    if lowered in spelled:
        return spelled[lowered]
    has_operator = any(op in text for op in (" AND ", " OR ", " WITH "))
    if has_operator and _SPDX_EXPRESSION.match(text.strip()):
        return text.strip()
    return None


def _from_classifiers(classifiers: Iterable[str]) -> str | None:
    found = [
        _CLASSIFIERS[c.removeprefix(_OSI)]
        for c in classifiers
        if c.startswith(_OSI) and c.removeprefix(_OSI) in _CLASSIFIERS
    ]
    unique = list(dict.fromkeys(found))
    return " OR ".join(unique) if unique else None
