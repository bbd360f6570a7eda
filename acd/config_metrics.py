"""The figures' settings (`metrics:` in config/acd.yaml): what docs/metrics.md measures against
beyond each queue's own service-level threshold (queues:) and the short abandon (wallboard:)."""

from __future__ import annotations

from pydantic import Field

from acd.config_types import Name, _Section


class Metrics(_Section):
    # a customer's next call within this many hours means the first was not resolved (FCR)
    repeat_window_hours: float = Field(72.0, gt=0, le=24 * 31)
    sales_queues: tuple[Name, ...] = ()  # whose coded calls count for conversion (queues:)
    sale_dispositions: tuple[Name, ...] = ()  # the codes that are a sale (desk.dispositions)
