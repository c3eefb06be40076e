"""Exit 1, naming them, when files installed in this venv differ from their wheel's RECORD.

The install is skipped when pyproject.toml is unchanged, so a package edited in place (a
print left in site-packages while profiling) would otherwise be tested on, and on the CI's
copy of the checkout, for every run after. Each installed file's sha256 is compared with the
one its distribution recorded at install time; `_venv.sh` reinstalls what this names.
"""

import base64
import hashlib
import sys
from importlib.metadata import distributions


def _altered(dist) -> bool:  # type: ignore[no-untyped-def]
    for file in dist.files or ():
        if file.hash is None or file.hash.mode != "sha256" or file.suffix == ".pyc":
            continue
        path = file.locate()
        try:
            digest = hashlib.sha256(path.read_bytes()).digest()
        except FileNotFoundError:
            return True
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != file.hash.value:
            return True
    return False


def main() -> int:
    altered = sorted({d.metadata["Name"] for d in distributions() if _altered(d)})
    print(" ".join(altered))
    return 1 if altered else 0


if __name__ == "__main__":
    sys.exit(main())
