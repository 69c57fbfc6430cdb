"""`civicbuy content export`: write the CMS's live content back to pack files, in the same format.

The export is written to a temporary folder beside the target and moved into place only when it is
complete, so an interrupted export never leaves a half-written pack.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

from civicbuy.content.packs import kinds


class _PackDumper(yaml.SafeDumper):
    """YAML that reads like the hand-written packs: block text for multi-line strings, keys in order."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_PackDumper.add_representer(str, _represent_text)
_PackDumper.add_representer(dt.date, yaml.SafeDumper.represent_date)


def dump(data: dict[str, Any]) -> str:
    """Serialise one page's data as pack YAML."""
    return yaml.dump(data, Dumper=_PackDumper, allow_unicode=True, sort_keys=False, width=110)


def export_pack(target: Path) -> int:
    """Write every live page to ``target`` (replacing it); return the number of pages written."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=target.parent))
    count = 0
    try:
        for kind in kinds():
            for relative, languages in kind.export():
                for language, data in languages.items():
                    path = staging / kind.base / f"{relative}.{language}.yaml"
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(dump(data), encoding="utf-8")
                count += 1
        if target.exists():
            backup = target.with_name(f".{target.name}.old")
            target.rename(backup)
            staging.rename(target)
            shutil.rmtree(backup)
        else:
            staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return count
