"""Run by python: writes the tool's file into the host prefix."""

import os
import pathlib

share = pathlib.Path(os.environ["PREFIX"]) / "share" / "multi-script"
share.mkdir(parents=True, exist_ok=True)
(share / "tool.txt").write_text(f"tool {os.environ['PKG_NAME']}\n")
