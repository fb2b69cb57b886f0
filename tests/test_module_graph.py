"""The shape of the code a maintainer reads: no two modules of publishing/ import each other, however
far round (imports inside functions count: they only hide a circle until the function runs), no module
longer than 400 lines and no function longer than 60, so each reads in one sitting.

Read from the source with `ast`, not by importing it: what is measured is what a person reads."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "publishing"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def modules_of(package: Path) -> dict[str, Path]:
    """Each module of ``package`` (a folder), by its dotted name: publishing.gate for gate/__init__.py."""
    modules = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


MODULES = modules_of(PACKAGE)


def _imported(name: str, tree: ast.Module, modules: dict[str, Path]) -> set[str]:
    """The modules of the package that loading the module ``name`` runs, from imports anywhere in it:

    - relative imports resolved; ``from package import name`` counts the submodule when ``name`` is one,
      else the package;
    - importing ``a.b.c`` runs ``a/b/__init__.py`` first, so it counts as importing ``a.b`` too (unless
      ``name`` is itself in ``a.b``: its package is loaded before it);
    - an ``importlib.import_module(f"{__package__}....")`` (the product registry's import on first use)
      counts as importing every module of the package the name could be;
    - imports under ``if TYPE_CHECKING:`` are left out: only the type checker reads them, they never run
      (import-linter's ``exclude_type_checking_imports``), so a type named in an annotation is no circle."""
    package = name if modules[name].name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _run_nodes(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
        elif _imports_by_computed_name(node):
            found.update(module for module in modules if module.rpartition(".")[0] == package)
    implied = {package for module in found for package in _packages_of(module)} - set(_packages_of(name))
    return {module for module in found | implied if module in modules and module != name}


def _run_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """Every node under ``node`` (as ast.walk), except the bodies of ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(node):
        yield child
        if isinstance(child, ast.If) and ast.unparse(child.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            for other in child.orelse:
                yield other
                yield from _run_nodes(other)
        else:
            yield from _run_nodes(child)


def _packages_of(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:end]) for end in range(1, len(parts))]


def _imports_by_computed_name(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "import_module"
        and bool(node.args)
        and isinstance(node.args[0], ast.JoinedStr)
        and "__package__" in ast.unparse(node.args[0])
    )


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    return {
        name: _imported(name, ast.parse(path.read_text(encoding="utf-8")), modules) for name, path in modules.items()
    }


def knots(graph: dict[str, set[str]]) -> list[set[str]]:
    """The groups of modules that each reach all the others (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            knot = set()
            while True:
                member = stack.pop()
                knot.add(member)
                if member == node:
                    break
            if len(knot) > 1:
                found.append(knot)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle per knot, as the modules in import order, the first repeated at the end."""
    return [_circle_through(graph, knot) for knot in knots(graph)]


def _circle_through(graph: dict[str, set[str]], knot: set[str]) -> list[str]:
    """The shortest way from the knot's first module back to itself, inside the knot."""
    start = min(knot)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node] & knot):
                if target == start:
                    return [*paths[node], start]
                if target not in paths:
                    paths[target] = [*paths[node], target]
                    following.append(target)
        frontier = following
    raise AssertionError(f"no circle in {knot}")


def circles_message(modules: dict[str, Path]) -> str:
    """What the test says when modules import each other: one circle per knot, and the knot's modules."""
    graph = import_graph(modules)
    found = [
        " -> ".join(_circle_through(graph, knot))
        + (f"\n    (and all of these reach each other: {', '.join(sorted(knot))})" if len(knot) > 2 else "")
        for knot in knots(graph)
    ]
    return "modules importing each other:\n  " + "\n  ".join(found) if found else ""


def test_no_module_imports_itself_round_a_circle():
    message = circles_message(MODULES)
    assert not message, message


def _package(folder: Path, files: dict[str, str]) -> dict[str, Path]:
    for name, text in files.items():
        (folder / "shop" / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / "shop" / name).write_text(text, encoding="utf-8")
    return modules_of(folder / "shop")


def test_a_circle_hidden_in_a_function_is_named(tmp_path):
    """As a maintainer would write one: a module imports, inside a function, one that imports it back."""
    modules = _package(
        tmp_path,
        {
            "__init__.py": "",
            "orders.py": "def total():\n    from .prices import price\n\n    return price()\n",
            "prices.py": "from shop.orders import total\n\n\ndef price():\n    return 1\n",
            "money.py": "from . import prices\n",
        },
    )
    assert circles_message(modules) == "modules importing each other:\n  shop.orders -> shop.prices -> shop.orders"


def test_a_type_named_for_the_type_checker_only_is_no_circle(tmp_path):
    modules = _package(
        tmp_path,
        {
            "__init__.py": "",
            "orders.py": "def total():\n    from .prices import price\n\n    return price()\n",
            "prices.py": "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from .orders import total\n",
        },
    )
    assert circles_message(modules) == ""


def test_a_package_that_imports_its_modules_on_first_use_counts_them(tmp_path):
    """The product registry's way: ``importlib.import_module(f"{__package__}.{name}")`` in the package;
    a module of it that imports a name from the package closes the circle."""
    modules = _package(
        tmp_path,
        {
            "__init__.py": "import importlib\n\n\ndef get(name):\n"
            + '    return importlib.import_module(f"{__package__}.{name}")\n',
            "till.py": "from . import get\n",
        },
    )
    assert circles_message(modules) == "modules importing each other:\n  shop -> shop.till -> shop"


def test_the_circle_finder_names_a_circle_of_three():
    """The finder itself, on a made-up graph: a -> b -> c -> a is one circle, d outside it."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert cycles(graph) == [["a", "b", "c", "a"]]


def test_every_module_reads_in_one_sitting():
    long = {
        str(path.relative_to(ROOT)): lines
        for path in MODULES.values()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def _function_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """The function's lines from its ``def`` to its last line, without the data tables in it (a literal
    list, dict, set or tuple assigned to a name is data one reads across, not steps one follows)."""
    end = node.end_lineno or node.lineno
    lines = end - node.lineno + 1
    for inner in ast.walk(node):
        if isinstance(inner, ast.Assign | ast.AnnAssign) and isinstance(
            inner.value, ast.List | ast.Dict | ast.Set | ast.Tuple
        ):
            lines -= (inner.end_lineno or inner.lineno) - inner.lineno
    return lines


def test_every_function_reads_in_one_sitting():
    long = {}
    for path in MODULES.values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if (lines := _function_lines(node)) > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = lines
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: {long}"


def _only_function(text: str) -> ast.FunctionDef:
    [node] = [node for node in ast.walk(ast.parse(text)) if isinstance(node, ast.FunctionDef)]
    return node


def test_a_data_table_does_not_count_but_steps_do():
    """A function that holds a 100-line table reads in one sitting; one of 61 steps does not."""
    table = "def colours():\n    names = {\n" + "".join(f"        'c{i}': {i},\n" for i in range(100)) + "    }\n"
    assert _function_lines(_only_function(table + "    return names\n")) == 3
    steps = "def chores():\n" + "".join(f"    print({i})\n" for i in range(60))
    assert _function_lines(_only_function(steps)) == 61 > MAX_FUNCTION_LINES
