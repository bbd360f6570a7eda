"""The composition root: config in, a MultiService of AMI, FastAGI and the status site out."""
from __future__ import annotations

import asyncio

from twisted.application import internet, service
from twisted.logger import Logger

from acd.asterisk.agi_routes import Routes
from acd.asterisk.ami import AmiService
from acd.asterisk.fastagi import FastAgiService
from acd.config import Config
from acd.core.center import CallCenter
from acd.core.events import Event
from acd.pbx.control import state_dir
from acd.asterisk.ivr_player import static_parts
from acd.speech import SpeechCache, SpeechError
from acd.store.directory import Directory
from acd.web.status import make_site
from ivr.menu import Menu

log = Logger()


class Daemon(service.MultiService):
    """Owns the core; every adapter feeds it through `apply`."""

    def __init__(self, config: Config, menu: Menu) -> None:
        super().__init__()
        self.config = config
        self.center = CallCenter({q.name: float(q.service_level) for q in config.queues})
        self.ami = AmiService(config.ami, self.apply)
        self.ami.setServiceParent(self)
        self.directory = Directory(config.store.url)
        # prompts live where the PBX can read them: its state folder, bind-mounted or shared
        self.speech = SpeechCache(state_dir(config) / "sounds")
        self.menu = menu
        routes = Routes(config, self.apply, self.directory, self.speech, menu)
        self.fastagi = FastAgiService(config.fastagi, routes.table())
        self.fastagi.setServiceParent(self)
        site = make_site(self.center, self.links)
        web = internet.TCPServer(config.http.port, site, interface=config.http.host)
        web.setServiceParent(self)

    def startService(self) -> None:
        super().startService()
        self._prompts = asyncio.ensure_future(self._render_prompts())

    async def _render_prompts(self) -> None:
        """Render the IVR's fixed prompts now, so no caller waits on espeak-ng for them."""
        for language, text in sorted(static_parts(self.menu)):
            try:
                await self.speech.render(text, language)
            except SpeechError as exc:
                log.error("IVR prompt not rendered: {why}", why=exc)
                return
        log.info("IVR prompts ready")

    def stopService(self):
        result = super().stopService()
        self.directory.close()
        return result

    def apply(self, event: Event) -> None:
        self.center.apply(event)

    def links(self) -> dict:
        return {"ami_connected": self.ami.connected, "ami_logins": self.ami.logins,
                "fastagi_served": self.fastagi.served}
