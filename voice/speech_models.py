"""Install a Vosk model for a locale from a URL or a local archive: progress bar, checksum, safe unpacking."""

from __future__ import annotations

import hashlib
import json
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import requests
from tqdm import tqdm

# Where operators usually get the small models (https://alphacephei.com/vosk/models). The site publishes no
# checksums, so none are pinned here: pass --sha256 to verify, and the command prints the digest it computed.
DEFAULT_SOURCES = {
    "en": "https://alphacephei.com/vosk/models/vosk-model-small-en-us-0.15.zip",
    "zh": "https://alphacephei.com/vosk/models/vosk-model-small-cn-0.22.zip",
    "ko": "https://alphacephei.com/vosk/models/vosk-model-small-ko-0.22.zip",
    "es": "https://alphacephei.com/vosk/models/vosk-model-small-es-0.42.zip",
}
CHUNK_BYTES = 1 << 20
DOWNLOAD_TIMEOUT_SECONDS = 30
# The largest Vosk models are ~2-4 GB; anything beyond this is not a model archive.
MAX_ARCHIVE_BYTES = 6 * 1024**3


class ModelInstallError(RuntimeError):
    """The model could not be fetched, failed its checksum, or is not a Vosk model."""


def _fetch(source: str, target: Path, progress: bool) -> None:
    if source.startswith(("http://", "https://")):
        try:
            with requests.get(source, stream=True, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response:
                if response.status_code != 200:
                    raise ModelInstallError(f"{source}: HTTP {response.status_code}")
                total = int(response.headers.get("Content-Length") or 0) or None
                if total and total > MAX_ARCHIVE_BYTES:
                    raise ModelInstallError(f"{source}: {total} bytes is larger than any model")
                with (
                    target.open("wb") as out,
                    tqdm(total=total, unit="B", unit_scale=True, desc="download", disable=not progress) as bar,
                ):
                    written = 0
                    for chunk in response.iter_content(CHUNK_BYTES):
                        written += len(chunk)
                        if written > MAX_ARCHIVE_BYTES:
                            raise ModelInstallError(f"{source}: larger than any model")
                        out.write(chunk)
                        bar.update(len(chunk))
        except requests.RequestException as exc:
            raise ModelInstallError(f"{source}: {exc}") from exc
        return
    path = Path(source)
    if not path.exists():
        raise ModelInstallError(f"{source}: no such file or folder")
    shutil.copyfile(path, target)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _safe_name(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return not name.startswith(("/", "\\")) and ".." not in parts


def _unpack(archive: Path, into: Path) -> None:
    """Unpack a .zip or .tar(.gz); refuse members that would land outside the folder (zip-slip) or links."""
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                if not _safe_name(name):
                    raise ModelInstallError(f"unsafe path in archive: {name!r}")
            zf.extractall(into)
        return
    if tarfile.is_tarfile(archive):
        with tarfile.open(archive) as tf:
            for member in tf.getmembers():
                if not _safe_name(member.name) or member.issym() or member.islnk() or member.isdev():
                    raise ModelInstallError(f"unsafe entry in archive: {member.name!r}")
            tf.extractall(into, filter="data")
        return
    raise ModelInstallError("not a .zip or .tar archive")


def find_model_root(folder: Path) -> Path:
    """The folder holding am/ and conf/ (archives usually wrap the model in one top-level folder)."""
    for candidate in [folder, *sorted(p for p in folder.rglob("*") if p.is_dir())]:
        if (candidate / "am").is_dir() and (candidate / "conf").is_dir():
            return candidate
    raise ModelInstallError("the archive holds no Vosk model (a folder with am/ and conf/)")


def install_model(
    locale: str,
    model_dir: Path,
    source: str | None = None,
    *,
    sha256: str | None = None,
    progress: bool = True,
    echo: Callable[[str], None] = print,
) -> Path:
    """Fetch, verify and unpack a model into <model_dir>/<locale>, replacing any earlier one only on success."""
    source = source or DEFAULT_SOURCES.get(locale)
    if source is None:
        raise ModelInstallError(f"no known model source for {locale!r}; pass --from")
    model_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=model_dir, prefix=f".{locale}-") as tmp:
        work = Path(tmp)
        source_path = Path(source)
        if source_path.is_dir():
            root = find_model_root(source_path)
            digest = ""
            staged = work / "model"
            shutil.copytree(root, staged)
        else:
            archive = work / "archive"
            _fetch(source, archive, progress)
            digest = sha256_of(archive)
            echo(f"sha256 {digest}")
            if sha256 and digest != sha256.strip().lower():
                raise ModelInstallError(f"checksum mismatch: expected {sha256}, got {digest}")
            unpacked = work / "unpacked"
            unpacked.mkdir()
            _unpack(archive, unpacked)
            staged = find_model_root(unpacked)
        (staged / "SOURCE.json").write_text(json.dumps({"source": source, "sha256": digest}, indent=2) + "\n")
        target = model_dir / locale
        if target.exists():
            old = work / "previous"
            target.rename(old)
        staged.rename(target)
    echo(f"installed the {locale} model in {target}")
    return target
