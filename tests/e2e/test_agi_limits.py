"""What Asterisk 22's res_agi does with a command line longer than its buffer (issue 9,
finding 10), measured on the real PBX: the reason for fastagi.MAX_COMMAND."""

from __future__ import annotations

import socket
import threading

import pytest

from acd.asterisk.fastagi import MAX_COMMAND

pytestmark = pytest.mark.e2e
MEASURED: dict[str, object] = {}
SIZES = (MAX_COMMAND, MAX_COMMAND + 1, 2100, 8192, 65536)


class Probe:
    """Answers one acd/enter session on the daemon's port and sends raw commands."""

    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.create_server((host, port))
        self.sock.settimeout(20)
        self.results: dict[int, tuple[list[str], list[str]]] = {}
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _answers(self, peer: socket.socket) -> list[str]:
        """Every line Asterisk sends until it stays quiet for a while."""
        data = b""
        try:
            while chunk := peer.recv(65536):
                data += chunk
        except TimeoutError:
            pass
        return [line.decode(errors="replace") for line in data.split(b"\n") if line]

    def _serve(self) -> None:
        peer, _ = self.sock.accept()
        with peer:
            peer.settimeout(1.5)
            self._answers(peer)  # the agi_* headers
            frame = len('SET VARIABLE ACD_LONG ""')
            for size in SIZES:
                peer.sendall(f'SET VARIABLE ACD_LONG "{"a" * (size - frame)}"\n'.encode())
                answers = self._answers(peer)
                peer.sendall(b"GET FULL VARIABLE ${LEN(${ACD_LONG})}\n")  # GET VARIABLE cuts at 1023
                got = self._answers(peer)
                self.results[size] = (answers, got)

    def close(self) -> None:
        self.thread.join(timeout=30)
        self.sock.close()


def test_res_agi_splits_a_line_past_its_buffer(pbx, lab_config, call):
    """Measured on Asterisk 22.10: a command is read whole up to 8 KiB (its value stored whole,
    one answer); from 8192 bytes on, what does not fit runs as further commands (a 510 answer
    for each piece, 8 of them for a 64 KiB line). MAX_COMMAND (2046) stays well inside, at the
    2048-byte AGI_BUF_LEN older releases used."""
    config, _ = lab_config
    probe = Probe(config.fastagi.host, config.fastagi.port)
    call(["+49301119101"], dialled="100", patience_ms=30000)
    probe.close()
    MEASURED.update(probe.results)
    print(f"\nres_agi with long lines: {probe.results}")
    frame = len('SET VARIABLE ACD_LONG ""')
    for size in (MAX_COMMAND, MAX_COMMAND + 1, 2100):
        answers, length = probe.results[size]
        assert answers == ["200 result=1"], (size, answers)
        assert length == [f"200 result=1 ({size - frame})"], (size, length)
    assert probe.results[8192][0] == ["200 result=1", "510 Invalid or unknown command"]
    assert probe.results[65536][0].count("510 Invalid or unknown command") >= 7
