"""No module of the package imports, directly or through others, a module that imports it:
each folder of the package depends on others one way (imports inside functions count too)."""

import ast
import graphlib

import pytest
from conftest import PROJECT

SOURCE = next(path for path in (PROJECT / "src").iterdir() if (path / "__init__.py").is_file())
FILES = {
    ".".join(path.relative_to(SOURCE.parent).with_suffix("").parts).removesuffix(".__init__"): path
    for path in SOURCE.rglob("*.py")
}


def imported_by(name: str) -> set[str]:
    """The package's modules that module ``name`` imports."""
    path = FILES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            target = ".".join(base + ([node.module] if node.module else []))
            if not node.level:
                target = node.module or ""
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                found.add(submodule if submodule in FILES else target)
    return found & set(FILES) - {name}


def test_the_package_has_no_import_cycle():
    graph = {name: imported_by(name) for name in FILES}
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as error:
        pytest.fail(f"import cycle: {' -> '.join(error.args[1])}")


def test_the_cycle_check_sees_imports_inside_functions():
    runtime = SOURCE.name + ".runtime"
    assert f"{runtime}.invoke.lambda_functions" in imported_by(f"{runtime}.invoke.workers")
