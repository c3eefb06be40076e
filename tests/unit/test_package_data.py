"""An installed Sammen (a wheel, not this checkout) carries every file its code reads
besides Python: the evaluator page's and the report's templates, the migrations, the
Sønderborg flow example. Each file under service/ that is not Python must be matched by
pyproject's package-data, and each pattern there must match a file (a pattern left over
from a moved folder hides that the new one is not shipped)."""

from __future__ import annotations

import fnmatch
import tomllib

from tests.support import ROOT

SERVICE = ROOT / "service"


def test_every_file_the_service_reads_besides_python_is_shipped_in_its_package_data():
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["service"]
    files = sorted(p.relative_to(SERVICE).as_posix() for p in SERVICE.rglob("*")
                   if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts)
    assert files
    assert [f for f in files if not any(fnmatch.fnmatchcase(f, pattern) for pattern in patterns)] == []
    assert [p for p in patterns if not any(fnmatch.fnmatchcase(f, p) for f in files)] == []
