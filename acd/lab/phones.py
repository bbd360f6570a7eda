"""The demo's phones beyond sipp.py's: an agent who escalates over SIP INFO, and a customer's
phone that answers the engine's callback. Shipped: `acd demo` uses both; the e2e tests too."""

from __future__ import annotations

from pathlib import Path

from acd.lab.sipp import SCENARIOS, Pbx, Process, RegisteredPhone, listening_phone, wait_listening

_INFO = """  <send retrans="500"><![CDATA[
INFO [$pbx] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: [$local];tag=[pid]agent[call_number]
To: [$remote]
[last_Call-ID:]
CSeq: {cseq} INFO
Contact: <sip:agent@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/dtmf-relay
Content-Length: [len]

Signal={digit}
Duration=160
]]></send>
  <recv response="200"/>
  <pause milliseconds="{pause}"/>
"""


class EscalatingAgent(RegisteredPhone):
    """An agent's softphone that answers one call, then escalates it: the feature code and a
    reason digit as SIP INFO (accepted whatever the endpoint's dtmf_mode)."""

    def __init__(
        self,
        pbx: Pbx,
        workdir: Path,
        user: str,
        password: str,
        port: int,
        code: str,
        reason: str,
        media_port: int,
    ) -> None:
        infos = [_INFO.format(cseq=10 + i, digit=d, pause=400) for i, d in enumerate(code)]
        infos.append(_INFO.format(cseq=20, digit=reason, pause=100))
        text = (SCENARIOS / "agent_escalate.xml").read_text()
        scenario = workdir / f"escalate-{user}.xml"
        silence = workdir / "silence.ulaw"
        silence.write_bytes(b"\xff" * 16000)  # 2 s of u-law silence, looped
        # the reason goes out once the route asks for it (its prompt is short)
        scenario.write_text(
            text.replace("@INFOS@", "".join(infos[:-1]) + '  <pause milliseconds="1500"/>\n' + infos[-1])
            .replace("@CODE@", code)
            .replace("@REASON@", reason)
            .replace("@SILENCE@", str(silence))
        )
        cmd = listening_phone(scenario, port, media_port, "-m", "1")
        super().__init__(pbx, user, password, port, cmd, workdir, f"escalate-{user}")


class CustomerPhone(Process):
    """A customer's phone behind a carrier port: answers one call (the callback), talks
    `talk_ms`, hangs up. It registers nowhere: the trunk's address reaches it."""

    def __init__(self, workdir: Path, port: int, talk_ms: int, media_port: int, name: str) -> None:
        cmd = listening_phone(SCENARIOS / "agent.xml", port, media_port, "-d", str(talk_ms), "-m", "1")
        super().__init__(cmd, workdir, name)
        wait_listening(self, port)
