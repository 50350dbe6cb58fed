"""Find ORM writes in source code that no audited service covers (read by ``test_writes``).

A write is covered when the function making it is a ``@service``, a ``@within_service``
helper (which refuses to run outside one), a model's own ``save``/``delete`` override, or a
private function of the same module that only covered functions call. Everything else
(a view, a command, a public helper) writing through the ORM is reported.
"""

from __future__ import annotations

import ast
from pathlib import Path

QUERYSET_HINTS = {"objects", "filter", "exclude", "all", "select_for_update", "_default_manager"}
ALWAYS_WRITES = {"bulk_create", "bulk_update", "get_or_create", "update_or_create"}
COVERING_DECORATORS = {"service", "within_service"}
FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


def _receiver_names(node: ast.expr) -> list[str]:
    names: list[str] = []
    while isinstance(node, ast.Attribute | ast.Call):
        if isinstance(node, ast.Call):
            node = node.func
            continue
        names.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        names.append(node.id)
    return names


def is_orm_write(call: ast.Call) -> bool:
    if not isinstance(call.func, ast.Attribute):
        return False
    method = call.func.attr
    names = _receiver_names(call.func.value)
    on_queryset = any(n in QUERYSET_HINTS or n.endswith("_set") for n in names)
    if method in ALWAYS_WRITES:
        return True
    if method in ("create", "update") and on_queryset:
        return True
    if method in ("save", "delete") and names[:1] != ["super"]:
        # a document's or workbook's save(stream) is not a model's save()
        return not (method == "save" and call.args)
    return False


def _decorated(fn: FunctionNode) -> bool:
    for decorator in fn.decorator_list:
        name = decorator.attr if isinstance(decorator, ast.Attribute) else None
        if isinstance(decorator, ast.Name):
            name = decorator.id
        if name in COVERING_DECORATORS:
            return True
    return False


def uncovered_writes(source: str) -> list[tuple[int, str]]:
    """(line, function) of each write in ``source`` that no service covers."""
    tree = ast.parse(source)
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node

    def enclosing(node: ast.AST) -> FunctionNode | None:
        while node in parents:
            node = parents[node]
            if isinstance(node, FunctionNode):
                return node
        return None

    callers: dict[str, set[FunctionNode | None]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else None
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                name = func.attr if func.value.id in ("self", "cls") else None
            if name:
                callers.setdefault(name, set()).add(enclosing(node))

    def covered(fn: FunctionNode | None, seen: frozenset[int] = frozenset()) -> bool:
        if fn is None:
            return False
        if _decorated(fn) or id(fn) in seen:
            return True
        if fn.name in ("save", "delete") and isinstance(parents.get(fn), ast.ClassDef):
            return True  # a model guarding its own rows (append-only audit events)
        seen = seen | {id(fn)}
        outer = enclosing(fn)
        if outer is not None and covered(outer, seen):
            return True
        if not fn.name.startswith("_"):
            return False
        found = callers.get(fn.name, set())
        return bool(found) and all(covered(c, seen) for c in found)

    # a decorator runs where the function is defined, not in it: ``@router.delete(path)``
    # declares an API operation, it deletes nothing
    decorators = {
        id(d) for fn in ast.walk(tree) if isinstance(fn, FunctionNode) for d in fn.decorator_list
    }
    writes: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if id(node) in decorators:
            continue
        if isinstance(node, ast.Call) and is_orm_write(node):
            fn = enclosing(node)
            if not covered(fn):
                writes.append((node.lineno, fn.name if fn else "<module>"))
    return sorted(writes)


def scanned_modules(root: Path) -> list[Path]:
    """Every module of minefree but tests, migrations and test fixtures."""
    return [
        p
        for p in sorted(root.rglob("*.py"))
        if not {"tests", "migrations"} & set(p.relative_to(root).parts)
    ]
