"""Apps import only apps below them (docs/design.md): core → registry → accounts → reporting →
reminders → knowledge → assistance → casework → funding → cooperation → clearance → fund → indicators → site, api."""

import ast
from pathlib import Path

import pytest

import minefree

ORDER = [
    "core",
    "registry",
    "accounts",
    "reporting",
    "reminders",
    "knowledge",
    "assistance",
    "casework",
    "funding",
    "cooperation",
    "clearance",
    "fund",
    "indicators",
    "site",
    "api",
]
ROOT = Path(minefree.__file__).parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {n.split(".")[1] for n in names if n.startswith("minefree.") and n.count(".") >= 1}


@pytest.mark.parametrize("app", ORDER)
def test_app_imports_only_lower_apps(app: str):
    allowed = set(ORDER[: ORDER.index(app) + 1]) | {"settings", "cli", "formats"}
    for path in (ROOT / app).rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        upward = _imports(path) - allowed
        assert not upward, f"{path.relative_to(ROOT)} imports {sorted(upward)}"
