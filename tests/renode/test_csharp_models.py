"""The C# models compile against the Renode API stubs; a wrong name or signature does not."""

from __future__ import annotations

import re
from pathlib import Path

from tests.renode.helpers import MODELS, REPO, STUBS, mcs_compile


def test_models_compile_against_the_stubs(tmp_path: Path) -> None:
    proc = mcs_compile([*STUBS, *MODELS], tmp_path / "models.dll", library=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_wrong_renode_signature_fails_to_compile(tmp_path: Path) -> None:
    broken = tmp_path / "Broken.cs"
    # ScheduleAction takes a TimeInterval, not a plain number of ns
    broken.write_text("""
using Antmicro.Renode.Core;
namespace Antmicro.Renode.Peripherals.Miscellaneous {
  public class Broken { public Broken(IMachine machine) { machine.ScheduleAction(1000UL, _ => {}); } }
}""")
    proc = mcs_compile([*STUBS, broken], tmp_path / "broken.dll", library=True)
    assert proc.returncode != 0 and "Broken.cs" in proc.stdout + proc.stderr


def test_a_typo_in_a_model_fails_to_compile(tmp_path: Path) -> None:
    source = (REPO / "renode" / "models" / "Miscellaneous" / "RP2350_Watchdog.cs").read_text()
    typo = tmp_path / "RP2350_Watchdog.cs"
    typo.write_text(source.replace("Time.NowNs", "Time.NowNS", 1))
    others = [m for m in MODELS if m.name != typo.name]
    proc = mcs_compile([*STUBS, *others, typo], tmp_path / "typo.dll", library=True)
    assert proc.returncode != 0 and "NowNS" in proc.stdout + proc.stderr


def test_stubs_cite_their_renode_sources() -> None:
    text = "\n".join(p.read_text() for p in STUBS)
    for namespace in re.findall(r"^namespace (\S+)", text, re.MULTILINE):
        block = text.split(f"namespace {namespace}", 1)[0].rsplit("}", 1)[-1]
        assert "src/Emulator/" in block, f"stub namespace {namespace} does not say which Renode file it mirrors"


def test_models_stay_in_the_csharp7_subset_roslyn_also_compiles() -> None:
    # mcs compiling them proves C# 7; also keep out things Roslyn 12 would reject but mcs accepts
    for model in MODELS:
        text = model.read_text()
        assert "#pragma warning disable" not in text, model.name
