"""The Docker variant as its users run it: the images built from asterisk-docker/, the compose
stack brought up (podman and podman-compose here: no Docker engine, no registry), one carrier
call answered with the daemon's route having run, then everything torn down.

The base image is the lab's debootstrap rootfs imported (../shared/docs/containers-lab.md);
the stack uses ports of its own (17xxx), so it never meets the chrooted PBX's tests. Every
container, volume and image the test made is removed, also when it fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from acd import config as config_module
from acd.asterisk import queue_log
from acd.lab import sipp
from tests.e2e.ami_watch import AmiWatch
from tests.e2e.conftest import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # the module's stack is built in the first test

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "asterisk-docker" / "docker-compose.yml"
ROOTFS = Path(os.environ.get("ACD_ROOTFS", "/var/cache/acd/rootfs"))
SIP, TRUNK, AMI, AGI, HTTP, REDIS, MEDIA = 17060, 17080, 17039, 17573, 17480, 17379, 17600
RTP = (17100, 17199)
IDS = {"asterisk": 2701, "acd": 2702, "redis": 2703}  # the compose file's build arguments
# podman's defaults that this sandbox refuses (containers-lab.md); a file of the test's own
CONTAINERS_CONF = """[containers]
default_ulimits = []
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
"""
# Builds reach Debian's mirror and PyPI through the host's network, pip with the host's CA
# bundle (a TLS-inspecting proxy here), mounted for the RUN steps only, never copied in.
HOST_CA = "/etc/ssl/certs/ca-certificates.crt"
BUILD_ARGS = f"--network=host --volume={HOST_CA}:/run/acd-build-ca.crt:ro"
TIMES: dict[str, float] = {}


def _unusable() -> str | None:
    if os.geteuid() != 0:
        return "podman runs the stack as root here"
    for tool in ("podman", "runc", "sipp"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (./lab installs it)"
    if subprocess.run([sys.executable, "-m", "podman_compose", "--version"], capture_output=True).returncode:
        return "podman-compose is not installed (test extras)"
    if not (ROOTFS / "usr/sbin/asterisk").exists():
        return f"no PBX rootfs at {ROOTFS} (acd pbx build) to import as the base image"
    return None


class Stack:
    """One compose project: its own name, images, volumes and config folder."""

    def __init__(self, workdir: Path) -> None:
        self.name = f"acde2e{os.getpid()}"
        self.workdir = workdir
        self.base = f"localhost/{self.name}-base"
        conf = workdir / "containers.conf"
        conf.write_text(CONTAINERS_CONF)
        self.config_dir = workdir / "config"
        self.config = write_config(self.config_dir)
        self.env = {
            **os.environ,
            "CONTAINERS_CONF": str(conf),
            "ACD_BASE": self.base,
            "ACD_IMAGE_PREFIX": f"localhost/{self.name}",
            "ACD_CONFIG_DIR": str(self.config_dir),
        }
        self.images_before = set(self.podman("images", "-a", "-q", "--no-trunc").split())

    def podman(self, *args: str, check: bool = True, timeout: float = 600) -> str:
        result = subprocess.run(
            ["podman", *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"podman {' '.join(args)}: exit {result.returncode}\n{result.stderr[-3000:]}"
            )
        return result.stdout

    def compose(self, *args: str, timeout: float = 900) -> None:
        log = self.workdir / "compose.log"
        with open(log, "a") as out:
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "podman_compose",
                    "--in-pod",
                    "false",
                    "-p",
                    self.name,
                    "-f",
                    str(COMPOSE),
                    *args,
                ],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
            )
        if result.returncode != 0:
            raise AssertionError(
                f"podman-compose {' '.join(args)}: exit {result.returncode}; "
                f"the end of {log}:\n{log.read_text()[-4000:]}"
            )

    def container(self, service: str) -> str:
        return f"{self.name}_{service}_1"

    def volume(self, name: str) -> Path:
        return Path(
            self.podman("volume", "inspect", "--format", "{{.Mountpoint}}", f"{self.name}_{name}").strip()
        )

    def logs(self, service: str) -> str:
        result = subprocess.run(
            ["podman", "logs", self.container(service)],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        return result.stdout + result.stderr

    def import_base(self) -> None:
        """The lab's rootfs as an image: without what is mounted into it or lives in its /tmp."""
        excluded = ["./proc/*", "./sys/*", "./dev/*", "./tmp/*", "./run/*"]
        for line in Path("/proc/self/mounts").read_text().splitlines():
            point = Path(line.split()[1])
            if point != ROOTFS and ROOTFS in point.parents:
                excluded.append(f"./{point.relative_to(ROOTFS)}")
        tar = subprocess.Popen(
            ["tar", "-C", str(ROOTFS), "-c", *(f"--exclude={e}" for e in excluded), "."],
            stdout=subprocess.PIPE,
        )
        imported = subprocess.run(
            ["podman", "import", "-", self.base],
            stdin=tar.stdout,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        tar.stdout.close()
        assert tar.wait() == 0 and imported.returncode == 0, imported.stderr

    def remove(self) -> None:
        """Every container, volume and image of this project (also after a failure). podman
        starts a container's dependencies with it (--requires), and refuses to remove one
        others depend on: the dependents go first, in rounds."""
        with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
            self.compose("down", "-v", "-t", "2", timeout=120)
        label = f"label=io.podman.compose.project={self.name}"
        for _ in range(4):
            ids = self.podman("ps", "-a", "-q", "--filter", label, check=False).split()
            for container in ids:
                self.podman("rm", "-f", "-t", "2", container, check=False)
        volumes = self.podman("volume", "ls", "-q", "--filter", label, check=False).split()
        if volumes:
            self.podman("volume", "rm", "-f", *volumes, check=False)
        made = set(self.podman("images", "-a", "-q", "--no-trunc", check=False).split()) - self.images_before
        if made:
            self.podman("rmi", "-f", *made, check=False)
        left = (
            self.podman("ps", "-a", "-q", "--filter", label, check=False).split()
            + self.podman("volume", "ls", "-q", "--filter", label, check=False).split()
        )
        assert not left, f"podman kept {left} of {self.name}"


def write_config(folder: Path) -> config_module.Config:
    """The repo's config/ with ports of the test's own; paths stay relative (the volumes)."""
    shutil.copytree(REPO / "config", folder)
    raw = yaml.safe_load((folder / "acd.yaml").read_text())
    raw["ami"]["port"], raw["fastagi"]["port"], raw["http"]["port"] = AMI, AGI, HTTP
    raw["pbx"].update(sip={"host": "127.0.0.1", "port": SIP}, rtp_ports=list(RTP))
    raw["trunks"] = [{"name": "carrier", "match": f"127.0.0.1:{TRUNK}"}]
    raw["redis"]["url"] = f"redis://127.0.0.1:{REDIS}/0"
    (folder / "acd.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True))
    for path in [folder, *folder.rglob("*")]:  # read by the containers' own users
        path.chmod(0o755 if path.is_dir() else 0o644)
    return config_module.parse(raw)


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    why = _unusable()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"the Docker test cannot run in CI: {why}")
        pytest.skip(why)
    for port in (SIP, AMI, AGI, HTTP, REDIS):
        assert not _answers(port), f"port {port} is taken: an earlier stack still up?"
    workdir = Path(tempfile.mkdtemp(prefix="acd-docker-"))
    workdir.chmod(0o755)
    try:
        stack = Stack(workdir)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    try:
        started = time.monotonic()
        stack.import_base()
        TIMES["base image imported"] = time.monotonic() - started
        started = time.monotonic()
        stack.compose(
            "--podman-build-args", BUILD_ARGS, "build", "--build-arg", "PIP_CERT=/run/acd-build-ca.crt"
        )
        TIMES["images built"] = time.monotonic() - started
        started = time.monotonic()
        stack.compose("up", "-d")
        wait_until(
            lambda: _answers(AMI) and _answers(AGI) and "IVR prompts ready" in stack.logs("acd"),
            120,
            "Asterisk's AMI, the daemon's FastAGI and its prompts",
        )
        TIMES["stack up"] = time.monotonic() - started
        yield stack
    except BaseException:
        for service in ("setup", "asterisk", "redis", "acd"):
            print(f"--- {service}\n{stack.logs(service)[-3000:]}")
        raise
    finally:
        started = time.monotonic()
        stack.remove()
        TIMES["torn down"] = time.monotonic() - started
        shutil.rmtree(workdir, ignore_errors=True)
        print("docker stack times: " + ", ".join(f"{k} {v:.1f} s" for k, v in TIMES.items()))


def secrets_of(stack: Stack) -> dict:
    """The secrets the stack generated at its first start, as its users read them."""
    return yaml.safe_load(stack.podman("exec", stack.container("acd"), "acd", "secrets", "show"))


def test_call_over_the_trunk_is_routed_by_the_daemon(stack: Stack, tmp_path: Path) -> None:
    """A carrier call to 200 is answered, and the daemon's route (not the dialplan's default,
    support) put it in sales: the channel's own AcdRouted report and queue_log say so."""
    started = time.monotonic()
    secrets = secrets_of(stack)
    watch = AmiWatch("127.0.0.1", AMI, stack.config.ami.watch_username, secrets["ami"]["watch_secret"])
    try:
        caller = sipp.callers(
            sipp.Pbx(port=SIP),
            tmp_path,
            [("5552001", "200")],
            trunk_port=TRUNK,
            media_port=MEDIA,
            patience_ms=3000,
            name="docker-caller",
        )
        routed = watch.wait(
            lambda e: e.get("UserEvent") == "AcdRouted" and e.get("CallerIDNum") == "5552001",
            30,
            "AcdRouted for the call",
        )
        TIMES["call answered and routed"] = time.monotonic() - started
        assert (routed["Via"], routed["Queue"]) == ("daemon", "sales"), routed
        assert caller.wait(30) == 0, caller.log.read_text()[-2000:]  # 200 OK, then its own BYE
    finally:
        watch.close()
    log = stack.volume("pbx-state") / "log" / "queue_log"
    entered = [e for e in queue_log.read(log) if e.verb == "ENTERQUEUE"]
    assert [e.queue for e in entered] == ["sales"], entered
    assert "FastAgiBadToken" not in stack.logs("acd")


def _status(pid: str) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return {key: value.strip() for key, _, value in (line.partition(":") for line in lines)}


def _local_address() -> str | None:
    """This host's address towards the world (no packet is sent), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_services_run_as_their_own_users_and_restart(stack: Stack) -> None:
    """Asterisk, redis and the daemon never run as root, hold no capability and cannot gain
    one; the daemon killed comes back by itself (restart policy); AMI, redis and FastAGI
    answer on loopback only."""
    for service, uid in IDS.items():
        pid = stack.podman("inspect", "--format", "{{.State.Pid}}", stack.container(service)).strip()
        status = _status(pid)
        assert set(status["Uid"].split()) == {str(uid)}, (service, status["Uid"])
        assert (status["CapEff"], status["CapBnd"], status["NoNewPrivs"]) == ("0" * 16, "0" * 16, "1"), (
            service
        )
        policy = stack.podman(
            "inspect", "--format", "{{.HostConfig.RestartPolicy.Name}}", stack.container(service)
        ).strip()
        assert policy == "unless-stopped", (service, policy)
    address = _local_address()
    if address is not None:
        for port in (AMI, REDIS, AGI):
            with pytest.raises(OSError):
                socket.create_connection((address, port), timeout=1).close()
    pid = stack.podman("inspect", "--format", "{{.State.Pid}}", stack.container("acd")).strip()
    started = time.monotonic()
    os.kill(int(pid), 9)
    wait_until(
        lambda: (
            stack.podman("inspect", "--format", "{{.State.Pid}}", stack.container("acd"), check=False).strip()
            not in ("", "0", pid)
            and _answers(AGI)
        ),
        60,
        "the killed daemon to be restarted and serve FastAGI",
    )
    TIMES["daemon restarted"] = time.monotonic() - started


def test_images_hold_no_secret_and_no_local_state(stack: Stack) -> None:
    """What the stack generated at its first start is in its volumes only: the images hold
    none of it, nor the checkout's var/, .venv or .git (.dockerignore)."""
    secrets = secrets_of(stack)
    needles = [secrets["ami"]["secret"], secrets["fastagi"]["token"], secrets["redis"]["password"]]
    for service in ("acd", "asterisk", "redis"):
        image = f"localhost/{stack.name}-{'daemon' if service == 'acd' else service}"
        found = subprocess.run(
            [
                "podman",
                "run",
                "--rm",
                "--network",
                "none",
                "--user",
                "0",
                "--entrypoint",
                "grep",
                image,
                "-rslF",
                *(f"-e{n}" for n in needles),
                "/srv",
                "/etc",
                "/opt",
                "/var",
                "/usr/local",
            ],
            env=stack.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert found.returncode == 1 and not found.stdout, (service, found.stdout, found.stderr[-500:])
    listing = stack.podman(
        "run",
        "--rm",
        "--network",
        "none",
        "--entrypoint",
        "sh",
        f"localhost/{stack.name}-daemon",
        "-c",
        "ls -A /srv/acd/src; find /srv/acd/src/var -mindepth 2",
    )
    names = listing.split()
    assert not {".git", ".venv", ".dockerignore"} & set(names), names
    assert not [n for n in names if n.startswith("/srv/acd/src/var/")], names
