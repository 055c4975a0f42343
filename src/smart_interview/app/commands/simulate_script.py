"""The scripted interview `smart-interview simulate` plays, and what it measures.

Script format (UTF-8 text, one spoken line per row, tab-separated):

    # comment lines and blank lines are ignored
    interviewer<TAB>Why do you want to work for our company?<TAB>1.5
    candidate<TAB>I like building reliable software.

Columns: who speaks (`interviewer` or `candidate`), what they say, and optionally the pause in
seconds after the line (default 1.0). An interviewer line ending with "?" is a question the
app is expected to detect. Each line is spoken with espeak-ng; the two speakers get one track
each on a shared timeline, so the times a line starts and ends are known exactly.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smart_interview.app.errors import CliError

RATE = 16_000
SPEAKERS = ("interviewer", "candidate")
DEFAULT_PAUSE_S = 1.0
TAIL_S = 4.0
"""Silence after the last line, so the last question is heard to its end."""


@dataclass(frozen=True)
class ScriptLine:
    number: int
    speaker: str
    text: str
    pause_s: float = DEFAULT_PAUSE_S

    @property
    def question(self) -> bool:
        return self.speaker == "interviewer" and self.text.rstrip().endswith("?")


@dataclass(frozen=True)
class TimedLine:
    line: ScriptLine
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Tracks:
    interviewer: Path
    candidate: Path
    lines: list[TimedLine]
    duration_s: float


def parse_script(text: str, *, source: str = "script") -> list[ScriptLine]:
    """The lines of a script; `CliError` naming the row for anything malformed."""
    lines = []
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cells = raw.split("\t")
        where = f"{source}, line {number}"
        if len(cells) not in (2, 3):
            raise CliError(f"{where}: expected 'speaker<TAB>text[<TAB>pause seconds]', got "
                           f"{len(cells)} column(s)")
        speaker, spoken = cells[0].strip().lower(), cells[1].strip()
        if speaker not in SPEAKERS:
            raise CliError(f"{where}: the speaker is 'interviewer' or 'candidate', not "
                           f"{cells[0].strip()!r}")
        if not spoken:
            raise CliError(f"{where}: nothing to say")
        pause = DEFAULT_PAUSE_S
        if len(cells) == 3 and cells[2].strip():
            try:
                pause = float(cells[2])
            except ValueError:
                raise CliError(f"{where}: the pause {cells[2].strip()!r} is not a number of "
                               "seconds") from None
            if not 0 <= pause <= 60:
                raise CliError(f"{where}: the pause must be between 0 and 60 seconds")
        lines.append(ScriptLine(number=number, speaker=speaker, text=spoken, pause_s=pause))
    if not lines:
        raise CliError(f"{source} has no lines to speak")
    return lines


def speak(text: str, path: Path, *, voice: str, wpm: int = 160) -> Any:
    """`text` spoken by espeak-ng, as float32 samples at 16 kHz."""
    import numpy as np
    import soundfile

    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise CliError("simulate speaks the script with espeak-ng; install it "
                       "(Debian/Ubuntu: apt install espeak-ng)")
    raw = path.with_suffix(".raw.wav")
    subprocess.run([espeak, "-v", voice, "-s", str(wpm), "-w", str(raw), text], check=True,
                   capture_output=True, timeout=60)
    samples, rate = soundfile.read(str(raw), dtype="float32", always_2d=False)
    if rate != RATE:
        positions = np.arange(0, len(samples), rate / RATE)
        samples = np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)
    return samples


def render(lines: Sequence[ScriptLine], folder: Path) -> Tracks:
    """One WAV per speaker (the other speaker's turns are silence) and each line's times."""
    import numpy as np
    import soundfile

    voices = {"interviewer": "en-us", "candidate": "en-gb"}
    clips = [speak(line.text, folder / f"line-{index}.wav", voice=voices[line.speaker])
             for index, line in enumerate(lines)]
    timed, at = [], 0.5
    for line, clip in zip(lines, clips, strict=True):
        end = at + clip.size / RATE
        timed.append(TimedLine(line=line, start_s=at, end_s=end))
        at = end + line.pause_s
    total = at + TAIL_S
    tracks = {speaker: np.zeros(int(total * RATE), dtype=np.float32) for speaker in SPEAKERS}
    for item, clip in zip(timed, clips, strict=True):
        begin = int(item.start_s * RATE)
        tracks[item.line.speaker][begin: begin + clip.size] = 0.8 * clip
    paths = {}
    for speaker, audio in tracks.items():
        paths[speaker] = folder / f"{speaker}.wav"
        soundfile.write(str(paths[speaker]), audio, RATE)
    return Tracks(interviewer=paths["interviewer"], candidate=paths["candidate"], lines=timed,
                  duration_s=total)


def work_folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="smart-interview-simulate-"))


def percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    import numpy as np

    return float(np.percentile(np.asarray(values, dtype=float), q))


def word_error_rates(lines: Sequence[ScriptLine], finals: dict[str, list[str]]
                     ) -> dict[str, float | None]:
    """WER per speaker: everything said in the script against everything transcribed."""
    from smart_interview.transcription.word_error_rate import corpus_wer

    rates: dict[str, float | None] = {}
    for speaker in SPEAKERS:
        said = " ".join(line.text for line in lines if line.speaker == speaker)
        heard = " ".join(finals.get(speaker, []))
        rates[speaker] = corpus_wer([said], [heard]) if said else None
    return rates
