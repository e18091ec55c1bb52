"""Receipts: read in bounded chunks, type checked by content (not by name), stored in the
instance folder under random names, never in static files or a listed directory."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import filetype

ALLOWED_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "application/pdf": "pdf",
}
"""What a receipt may be: a photo or scan (JPEG, PNG, WebP, HEIC) or a PDF."""
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Upload:
    """A receipt that passed the checks, held in memory until it is stored."""

    name: str
    content_type: str
    data: bytes


def read_upload(stream: IO[bytes], name: str, max_bytes: int) -> Upload:
    """Read at most ``max_bytes`` (in chunks) and check the content is an image or a PDF."""
    label = name or "the file"
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise ValueError(
                f"The receipt {label!r} is bigger than {max_bytes // (1024 * 1024) or 1} MB "
                f"({max_bytes:,} bytes), the most one receipt can be; take a smaller photo or scan"
            )
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data:
        raise ValueError(f"The receipt {label!r} is empty")
    kind = filetype.guess(data[:8192])
    mime = kind.mime if kind is not None else None
    if mime not in ALLOWED_TYPES:
        found = f"it looks like {mime}" if mime else "its content is not one we recognise"
        raise ValueError(
            f"The receipt {label!r} is not a photo or a PDF ({found}); upload a JPEG, PNG, "
            "WebP or HEIC photo, or a PDF"
        )
    return Upload(os.path.basename(name)[:200], mime, data)


def folder(settings_folder: str, instance_path: str) -> Path:
    path = Path(settings_folder) if settings_folder else Path(instance_path) / "receipts"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def store(where: Path, upload: Upload) -> str:
    """Write the receipt under a new random name (no extension); return the name."""
    stored = secrets.token_hex(16)
    target = where / stored
    with open(target, "xb") as handle:
        handle.write(upload.data)
    os.chmod(target, 0o600)
    return stored


def remove(where: Path, stored_names: list[str]) -> None:
    for stored in stored_names:
        (where / stored).unlink(missing_ok=True)
