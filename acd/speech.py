"""Spoken prompts: Asterisk has no text-to-speech, so text is rendered ahead of time.

espeak-ng speaks, sox makes it 8 kHz mono 16-bit WAV (what format_wav plays without
transcoding), and the file is cached under a name derived from the voice and the text, so a
prompt or a customer's name is rendered once and then only played. Files appear atomically
(rename), so the PBX never plays half a file.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
import subprocess
from collections.abc import Mapping
from pathlib import Path

# espeak-ng voice per language code used in config/ivr.yaml
VOICES: Mapping[str, str] = {"en": "en-gb", "de": "de", "fr": "fr", "es": "es", "it": "it"}
SPEED_WPM = 150


class SpeechError(RuntimeError):
    """The text could not be rendered (engine missing or failed)."""


class SpeechCache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, text: str, language: str) -> Path:
        """Where the rendering lives, without the extension (as Asterisk wants file names)."""
        voice = VOICES.get(language, language)
        digest = hashlib.sha256(f"{voice}|{SPEED_WPM}|{text}".encode()).hexdigest()[:24]
        return self.folder / language / digest

    async def render(self, text: str, language: str) -> Path:
        target = self.path(text, language)
        wav = target.with_suffix(".wav")
        if wav.exists():
            return target
        wav.parent.mkdir(parents=True, exist_ok=True)
        unique = f"{os.getpid()}.{secrets.token_hex(4)}"  # two renders of one text may overlap
        raw = wav.with_name(f".{wav.stem}.{unique}.raw.wav")
        part = wav.with_name(f".{wav.stem}.{unique}.part.wav")
        try:
            await _run(
                "espeak-ng",
                "-v",
                VOICES.get(language, language),
                "-s",
                str(SPEED_WPM),
                "-w",
                str(raw),
                "--",
                text,
            )
            await _run("sox", str(raw), "-r", "8000", "-c", "1", "-b", "16", str(part))
            part.chmod(0o640)  # the PBX reads it as a member of the engine's group
            part.rename(wav)
        finally:
            raw.unlink(missing_ok=True)
            part.unlink(missing_ok=True)
        return target


async def _run(*cmd: str) -> None:
    """On a thread: asyncio's child watchers under Twisted's reactor stalled the loop."""
    try:
        done = await asyncio.to_thread(
            subprocess.run,
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=30,
        )
    except FileNotFoundError:
        raise SpeechError(f"{cmd[0]} is not installed") from None
    except subprocess.TimeoutExpired:
        raise SpeechError(f"{cmd[0]} took too long") from None
    if done.returncode != 0:
        raise SpeechError(f"{cmd[0]} failed: {done.stderr.decode(errors='replace')[:200]}")
