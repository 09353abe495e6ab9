"""The layers, read from the code itself: `cthb` has no import cycle (lazy imports inside
functions count too: a cycle that only runs later is still one), only `cthb.webapp` draws with
Streamlit, and pages never open the database."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cthb"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, this: str, is_package: bool, known: set[str]) -> set[str]:
    """The modules of `known` that the module `this` (its source text) imports, anywhere."""
    package = this if is_package else this.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[:len(parts) - (node.level - 1)]
                base = ".".join([*parts, base] if base else parts)
            # "from cthb import views" imports the module cthb.views, not only the package.
            found.update(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                         for alias in node.names)
    return {m for m in found if m in known and m != this}


def import_graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    known = set(files)
    return {name: imported_modules(path.read_text(encoding="utf-8"), name,
                                   path.name == "__init__.py", known)
            for name, path in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_checker_sees_a_cycle() -> None:
    # The check itself can fail: a two-module loop and a three-module loop are found.
    assert cycles({"a": {"b"}, "b": {"a"}, "c": set()}) == [["a", "b"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_the_checker_reads_every_import_form() -> None:
    known = {"cthb", "cthb.store", "cthb.views", "cthb.export", "cthb.export.tables"}
    source = ("from cthb import views\nimport cthb.store\n"
              "def later():\n    from .tables import x\n")
    assert imported_modules(source, "cthb.export.probe", False, known) == {
        "cthb.views", "cthb.store", "cthb.export.tables"}
    assert imported_modules("from . import tables\n", "cthb.export", True, known) == {
        "cthb.export.tables"}


def test_cthb_has_no_import_cycle() -> None:
    graph = import_graph()
    assert len(graph) > 40 and graph["cthb.webapp"], "the graph was not read"
    assert cycles(graph) == []


def top_imports(source: str) -> set[str]:
    """Every module name a source imports (absolute imports only), anywhere in it."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module)
    return names


def test_only_webapp_draws_with_streamlit() -> None:
    """Pure modules stay testable without a Streamlit run. The CLI's `serve` only starts the
    server (streamlit.web), which is not drawing."""
    drawing = sorted(module_name(p) for p in PACKAGE.rglob("*.py")
                     if any(m == "streamlit" or (m.startswith("streamlit.")
                                                 and not m.startswith("streamlit.web"))
                            for m in top_imports(p.read_text(encoding="utf-8"))))
    assert drawing == ["cthb.webapp"], drawing


def test_pages_never_open_the_database() -> None:
    for page in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]:
        imports = top_imports(page.read_text(encoding="utf-8"))
        assert "cthb" in " ".join(imports), f"{page.name}: imports not read"
        assert not {"duckdb", "cthb.store", "cthb.importer", "cthb.importing"} & imports, page.name


def public_definitions(path: Path) -> set[str]:
    """Top-level functions, classes and UPPER_CASE constants a module defines (not imports)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name) and t.id.isupper())
    return {n for n in names if not n.startswith("_")}


def test_each_public_name_is_defined_once() -> None:
    """One definition per idea: a helper or constant needed in two places is imported from one
    (private helpers of a module may share a name with another module's)."""
    where: dict[str, list[str]] = {}
    for path in [*PACKAGE.rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]:
        for name in public_definitions(path):
            where.setdefault(name, []).append(str(path.relative_to(ROOT)))
    assert len(where) > 300, "definitions were not read"
    twice = {name: files for name, files in where.items() if len(files) > 1}
    assert twice == {}, twice


def test_no_data_reaches_raw_html() -> None:
    """Streamlit renders markdown escaped unless `unsafe_allow_html`; `st.html` renders its
    argument as it is. The product never allows raw HTML in markdown, and `st.html` only
    receives a module-level string constant (no data or query-parameter text can reach it)."""
    html_calls = 0
    for path in [*PACKAGE.rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {t.id for node in tree.body if isinstance(node, ast.Assign)
                     and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                     for t in node.targets if isinstance(t, ast.Name)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            for kw in node.keywords:
                assert kw.arg != "unsafe_allow_html", f"{path.name}:{node.lineno}"
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "html":
                html_calls += 1
                arg = node.args[0] if node.args else None
                assert isinstance(arg, ast.Name) and arg.id in constants, (
                    f"{path.name}:{node.lineno}: st.html of something other than a constant")
    assert html_calls >= 1, "the one st.html call (Enter applies a date) was not found"
