import os
from pathlib import Path

share = Path(os.environ["PREFIX"], "share", "script-mapping")
share.mkdir(parents=True, exist_ok=True)
(share / "greeting.txt").write_text(os.environ["GREETING"] + "\n")
(share / "cwd.txt").write_text(Path.cwd().relative_to(os.environ["SRC_DIR"]).as_posix() + "\n")
