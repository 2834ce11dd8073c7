"""In-memory exports for the dashboard's download buttons.

``export_bytes(ws, selection, fmt)`` returns exactly the bytes of the data file that
``python -m core export`` writes into its bundle (for ``hf``, whose data is a folder: a
zip of that folder as :func:`zip_folder` makes it, so zipping the CLI's folder gives the
same bytes). ``export_bundle_zip`` returns the whole bundle as a zip; its data file is
the same bytes again, while manifest.json and README.md differ from a CLI bundle by
their creation time, and the Axolotl path is relative (the bundle's place is unknown).

Usage in a page::

    name, data, mime = export_bytes(ws, "qdit-k1000", "sharegpt")
    st.download_button("Download", data, file_name=name, mime=mime)
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from core.export.bundle import selected_frame, write_bundle
from core.export.formats import data_file_name, format_spec, write_data
from core.export.paths import safe_stem

ZIP_MIME = "application/zip"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def zip_folder(folder: Path, root_name: str | None = None) -> bytes:
    """Deterministic zip of ``folder`` (entries under ``root_name``/, default the folder's
    name): sorted paths, fixed timestamps and permissions, deflate."""
    folder = Path(folder)
    root = root_name or folder.name
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{root}/{path.relative_to(folder).as_posix()}", _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    return buf.getvalue()


def export_bytes(ws, selection: str, fmt: str, *, include_extras: bool = True
                 ) -> tuple[str, bytes, str]:
    """(file name, bytes, MIME type) of the saved ``selection`` as ``fmt``: byte-identical
    to the data file of ``python -m core export`` (hf: the zip of its folder)."""
    spec = format_spec(fmt)
    result = ws.load_selection(selection)
    name = data_file_name(safe_stem(selection), fmt)
    with tempfile.TemporaryDirectory(prefix="qdx-export-") as tmp:
        path = Path(tmp) / name
        write_data(selected_frame(ws, result), fmt, path, include_extras=include_extras)
        if spec.is_folder:
            return f"{name}.zip", zip_folder(path), ZIP_MIME
        return name, path.read_bytes(), spec.mime


def export_bundle_zip(ws, selection: str, fmt: str, *, include_extras: bool = True,
                      compute_metrics: bool = True) -> tuple[str, bytes, str]:
    """(file name, bytes, MIME type) of the whole bundle of ``selection`` as a zip whose
    entries sit under one folder named ``<selection>-<fmt>``."""
    format_spec(fmt)
    result = ws.load_selection(selection)
    stem = safe_stem(selection)
    bundle = f"{stem}-{fmt}"
    with tempfile.TemporaryDirectory(prefix="qdx-bundle-") as tmp:
        folder = Path(tmp) / bundle
        folder.mkdir()
        write_bundle(ws, selection, result, fmt, folder, bundle_name=bundle,
                     axolotl_path=data_file_name(stem, fmt), include_extras=include_extras,
                     compute_metrics=compute_metrics)
        return f"{bundle}.zip", zip_folder(folder), ZIP_MIME
