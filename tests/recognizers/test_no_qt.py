import pkgutil
import subprocess
import sys
from pathlib import Path

import recognizers


def test_every_recognizers_module_imports_without_qt():
    names = [m.name for m in pkgutil.walk_packages([str(Path(recognizers.__file__).parent)], prefix="recognizers.") if not m.name.endswith("__main__")]
    code = (
        "import sys, importlib\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'PyQt5', 'PyQt6', 'shiboken6'):\n"
        "            raise ImportError('Qt is blocked in recognizers: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        f"for n in {names!r}:\n"
        "    importlib.import_module(n)\n"
        "assert not any(m.startswith('PySide6') for m in sys.modules)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert len(names) >= 30 and "recognizers.training.loop" in names
