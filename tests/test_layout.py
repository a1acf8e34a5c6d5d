"""The package's layout rules: imports flow one way, no module reaches into another's private names."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "arithseq"
# the layers, lowest first: a module may import from its own layer or a lower one
LAYERS = ["errors", "files", "options", "config", "columns", "tasks", "tokenizer", "testing", "models", "evaluation", "training", "report", "serve", "cli"]


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(("arithseq", *path.relative_to(PACKAGE).with_suffix("").parts))
        yield name.removesuffix(".__init__"), path


def imports(name: str, path: Path):
    """(imported module, imported names) for every arithseq import, resolved to absolute names."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("arithseq"):
                yield target, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("arithseq"):
                    yield alias.name, []


def layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else -1


def test_no_module_imports_a_private_name_of_another():
    offenders = [
        (name, target, imported)
        for name, path in modules()
        for target, names in imports(name, path)
        for imported in names
        if imported.startswith("_") and target != name
    ]
    assert offenders == []


def test_imports_flow_down_the_layers():
    upward = [
        (name, target)
        for name, path in modules()
        if name != "arithseq"
        for target, _ in imports(name, path)
        if layer(target) > layer(name) >= 0
    ]
    assert upward == []


def test_no_import_cycles():
    graph = {name: {t for t, _ in imports(name, path)} for name, path in modules()}
    graph = {name: {t for t in targets if t in graph and t != name} for name, targets in graph.items()}
    # a package's __init__ re-exporting its own modules is not a cycle: drop child -> parent edges
    graph = {name: {t for t in targets if not name.startswith(t + ".")} for name, targets in graph.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(node, trail):
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(trail[trail.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_no_file_over_400_lines():
    long = {str(path.relative_to(PACKAGE)): n for _, path in modules() if (n := len(path.read_text().splitlines())) > 400}
    assert long == {}
