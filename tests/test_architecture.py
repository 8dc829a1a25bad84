"""The import direction of docs/architecture.md, checked on the source: a module may import
only from its own layer or the layers below it, and module-level imports form no cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# lowest first; a module may import its own layer and those before it
LAYERS = ["core", "decoding", "recognizer", "training", "synth", "workspace", "cli", "app"]


def layer_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "app":
        return "app"
    if parts[0] != "recognizers":
        raise ValueError(module)
    if len(parts) > 1 and parts[1] in ("decoding", "training", "synth", "workspace"):
        return parts[1]
    if len(parts) > 1 and parts[1] in ("cli", "__main__"):
        return "cli"
    if len(parts) > 1 and parts[1] == "recognizer":
        return "recognizer"
    return "core"


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_imports(path: Path) -> list[tuple[str, bool, int]]:
    """(imported project module, at module level?, line) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    top_level = {id(n) for n in tree.body}
    for n in tree.body:  # imports under a module-level `if TYPE_CHECKING:` run only for type checkers
        if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test):
            for sub in ast.walk(n):
                top_level.discard(id(sub))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = package.split(".")
                base = ".".join(pkg[: len(pkg) - node.level + 1] + ([base] if base else []))
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] in ("recognizers", "app"):
                out.append((name, id(node) in top_level, node.lineno))
    return out


def sources() -> list[Path]:
    return sorted(p for d in ("recognizers", "app") for p in (ROOT / d).rglob("*.py"))


def known(name: str, modules: set[str]) -> str | None:
    """The project module `name` refers to (a name imported from a module maps to the module)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def test_imports_run_one_way():
    modules = {module_name(p) for p in sources()}
    wrong = []
    for path in sources():
        me = module_name(path)
        for name, _, line in project_imports(path):
            target = known(name, modules)
            if target and LAYERS.index(layer_of(target)) > LAYERS.index(layer_of(me)):
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {layer_of(me)} imports {target} ({layer_of(target)})")
    assert not wrong, "imports against the layer order " + " < ".join(LAYERS) + ":\n" + "\n".join(wrong)


def test_no_import_cycles():
    modules = {module_name(p) for p in sources()}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for path in sources():
        me = module_name(path)
        for name, top, _ in project_imports(path):
            target = known(name, modules)
            if top and target and target != me:
                graph[me].add(target)
    # Tarjan's strongly connected components: any with more than one module is a cycle
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for m in sorted(graph):
        if m not in index:
            visit(m)
    assert not cycles, f"import cycles: {cycles}"


def test_recognizers_never_imports_qt_even_inside_a_function():
    qt = ("PySide6", "PyQt5", "PyQt6", "shiboken6")
    found = []
    for path in sorted((ROOT / "recognizers").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [f"{path.relative_to(ROOT)}:{node.lineno}: {n}" for n in names if n.split(".")[0] in qt]
    assert not found, "recognizers/ imports Qt:\n" + "\n".join(found)


@pytest.mark.parametrize("source, expected", [
    ("from recognizers.training.loop import train\n", "core imports recognizers.training.loop"),
    ("from .synth import ink\n", "core imports recognizers.synth.ink"),
    ("import app.widgets\n", "core imports app.widgets"),
])
def test_the_check_catches_a_wrong_import(tmp_path, monkeypatch, source, expected):
    fake = ROOT / "recognizers" / "_probe_wrong_way.py"
    real = sources()
    monkeypatch.setattr(f"{__name__}.sources", lambda: real + [fake])
    original = Path.read_text
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: source if self == fake else original(self, *a, **k))
    with pytest.raises(AssertionError, match=expected.replace(".", r"\.")):
        test_imports_run_one_way()
