"""Where the last word of a clip ends, from the clip's own audio (for `bench stream`).

The energy of 10 ms frames is compared with a threshold above the clip's noise floor, above
the background its last moments hold (applause after a speech, a room's hum), and below its
loudest speech; the end of the last run of at least `min_run_s` above it is the end of the
last word. Background that rises after the speech (applause at the end of the JFK clip, 20 dB
under the words) can still pass: with `not_after` (where Silero VAD puts the end of the
speech, plus a margin) the search starts there. Computed on the clean clip (before a condition
adds noise), so a noisy condition does not move it.
"""

from __future__ import annotations

import numpy as np

SR = 16_000


def last_word_end(audio: np.ndarray, *, rate: int = SR, frame_s: float = 0.01,
                  below_peak_db: float = 40.0, above_floor_db: float = 12.0,
                  above_tail_db: float = 6.0, tail_s: float = 0.3,
                  min_run_s: float = 0.03, not_after: float | None = None) -> float | None:
    """Seconds from the start of `audio` to the end of its last speech, or None if silent."""
    frame = max(1, round(frame_s * rate))
    usable = np.asarray(audio, dtype=np.float64)[: audio.size // frame * frame]
    if usable.size == 0:
        return None
    power = np.mean(usable.reshape(-1, frame) ** 2, axis=1)
    level = 10 * np.log10(power + 1e-12)
    peak = float(np.percentile(level, 99))
    floor = float(np.percentile(level, 5))
    if peak <= -100 or peak - floor < above_floor_db:
        return None
    tail = float(np.percentile(level[-max(1, round(tail_s / frame_s)):], 20))
    threshold = max(floor + above_floor_db, peak - below_peak_db, tail + above_tail_db)
    loud = level >= threshold
    run = round(min_run_s / frame_s)
    last = loud.size if not_after is None else min(loud.size, round(not_after / frame_s))
    for index in range(last - 1, run - 2, -1):
        if loud[index - run + 1 : index + 1].all():
            return (index + 1) * frame / rate
    return None
